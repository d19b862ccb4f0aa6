// The bytes of an HDF5 file that lives in memory (core driver), ready to be written to disk.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <cstddef>
#include <string>

namespace hedgemap::h5 {

// Flushes `file` and returns its image, as a file on disk would hold it once closed. HDF5 1.10.8's
// H5Fget_file_image clears the "open for writing" status flags of a version-3 superblock but not
// its checksum, so every reader refuses the image ("incorrect metadata checksum"); the checksum
// is recomputed here. The image is then opened read-only from memory (superblock and root group
// read back) so that a file no reader can open is never written. Throws H5Error naming `what`.
std::string closed_file_image(hid_t file, const std::string& what);

// Bob Jenkins' lookup3 hash ("hashlittle", byte-wise), HDF5's metadata checksum
// (H5_checksum_lookup3 with initval 0 in the file format specification).
std::uint32_t lookup3_checksum(const unsigned char* bytes, std::size_t length,
                               std::uint32_t initval = 0);

}  // namespace hedgemap::h5
