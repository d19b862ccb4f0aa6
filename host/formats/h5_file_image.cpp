// See h5_file_image.hpp.
#include "host/formats/h5_file_image.hpp"

#include <hdf5_hl.h>

#include <cstring>

#include "host/formats/h5_writer.hpp"

namespace hedgemap::h5 {
namespace {

std::uint32_t rotate(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

std::uint32_t little_endian_word(const unsigned char* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

[[noreturn]] void fail(const std::string& call, const std::string& what) {
  throw H5Error(call + " failed for '" + what + "'");
}

// Superblock versions 2 and 3 (file format specification, "Superblock Version 2"): signature (8
// bytes), version, size of offsets O, size of lengths, status flags, then four addresses of O
// bytes (base, extension, end of file, root object header) and the lookup3 checksum of all that.
constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
constexpr std::size_t kVersionAt = 8, kOffsetSizeAt = 9, kAddressesAt = 12;

void repair_superblock_checksum(std::string& image, const std::string& what) {
  auto* bytes = reinterpret_cast<unsigned char*>(image.data());
  if (image.size() < kAddressesAt || std::memcmp(bytes, kSignature, sizeof kSignature) != 0)
    fail("locating the superblock of the file image", what);
  if (bytes[kVersionAt] < 2) return;  // versions 0 and 1 have no checksum
  const std::size_t checksum_at = kAddressesAt + 4 * std::size_t{bytes[kOffsetSizeAt]};
  if (checksum_at + 4 > image.size()) fail("locating the superblock checksum", what);
  const std::uint32_t sum = lookup3_checksum(bytes, checksum_at);
  for (int i = 0; i < 4; ++i) bytes[checksum_at + i] = static_cast<unsigned char>(sum >> (8 * i));
}

}  // namespace

std::uint32_t lookup3_checksum(const unsigned char* k, std::size_t length, std::uint32_t initval) {
  std::uint32_t a, b, c;
  a = b = c = 0xdeadbeefu + static_cast<std::uint32_t>(length) + initval;
  for (; length > 12; length -= 12, k += 12) {  // mix(a, b, c)
    a += little_endian_word(k);
    b += little_endian_word(k + 4);
    c += little_endian_word(k + 8);
    a -= c, a ^= rotate(c, 4), c += b;
    b -= a, b ^= rotate(a, 6), a += c;
    c -= b, c ^= rotate(b, 8), b += a;
    a -= c, a ^= rotate(c, 16), c += b;
    b -= a, b ^= rotate(a, 19), a += c;
    c -= b, c ^= rotate(b, 4), b += a;
  }
  if (length == 0) return c;
  unsigned char tail[12] = {};  // the last 1..12 bytes, zero-padded
  std::memcpy(tail, k, length);
  a += little_endian_word(tail);
  b += little_endian_word(tail + 4);
  c += little_endian_word(tail + 8);
  c ^= b, c -= rotate(b, 14);  // final(a, b, c)
  a ^= c, a -= rotate(c, 11);
  b ^= a, b -= rotate(a, 25);
  c ^= b, c -= rotate(b, 16);
  a ^= c, a -= rotate(c, 4);
  b ^= a, b -= rotate(a, 14);
  c ^= b, c -= rotate(b, 24);
  return c;
}

std::string closed_file_image(hid_t file, const std::string& what) {
  if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) fail("H5Fflush", what);
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size <= 0) fail("H5Fget_file_image", what);
  std::string image(static_cast<std::size_t>(size), '\0');
  if (H5Fget_file_image(file, image.data(), image.size()) != size) fail("H5Fget_file_image", what);
  repair_superblock_checksum(image, what);

  const hid_t check = H5LTopen_file_image(image.data(), image.size(),
                                          H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE);
  if (check < 0) fail("H5LTopen_file_image (reading back the file image)", what);
  const hid_t root = H5Gopen2(check, "/", H5P_DEFAULT);
  const bool readable = root >= 0;
  if (readable) H5Gclose(root);
  H5Fclose(check);
  if (!readable) fail("H5Gopen2 of / (reading back the file image)", what);
  return image;
}

}  // namespace hedgemap::h5
