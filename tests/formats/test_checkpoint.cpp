// Checkpoints: bit-exact round trip, and every corruption refused. One flipped bit at every byte
// of a real encoding, every truncation, appended bytes, the older unchecksummed format, a FIFO
// at the checkpoint's name: decode_checkpoint / load_checkpoint throw, never return cells.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "host/formats/checkpoint.hpp"

namespace hedgemap {
namespace {

namespace fs = std::filesystem;

// Three cells, the middle one not done; NaN, -0.0 and infinities in the values.
std::vector<CellResult> sample_cells() {
  std::vector<CellResult> cells(3);
  for (int c : {0, 2}) {
    CellResult& cell = cells[c];
    cell.done = true;
    cell.model.book_price = 100.0 + c;
    cell.model.terminal_spot_mean = std::numeric_limits<double>::quiet_NaN();
    cell.model.jumps_mean = -0.0;
    GroupCellResult group;
    group.metrics = {{1.5, -2.25, std::numeric_limits<double>::infinity()}, {0.0, 1e-300, 7.0}};
    group.objective = {3.0, 2.0, 1.0 + c};
    group.objective_stderr = {0.1, 0.2, 0.3};
    group.bootstrap_optimum = {2, 2, 1, -1};
    cell.groups = {group, group};
  }
  return cells;
}

const std::string kIdentity(64, 'a');

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(Checkpoint, RoundTripIsBitExact) {
  const std::vector<CellResult> cells = sample_cells();
  const std::vector<CellResult> back =
      decode_checkpoint(encode_checkpoint(kIdentity, cells), "ckpt", kIdentity, cells.size());
  ASSERT_EQ(back.size(), cells.size());
  EXPECT_FALSE(back[1].done);
  for (int c : {0, 2}) {
    ASSERT_TRUE(back[c].done);
    EXPECT_TRUE(same_bits(back[c].model.book_price, cells[c].model.book_price));
    EXPECT_TRUE(std::isnan(back[c].model.terminal_spot_mean));
    EXPECT_TRUE(same_bits(back[c].model.jumps_mean, -0.0));
    ASSERT_EQ(back[c].groups.size(), 2u);
    for (std::size_t m = 0; m < 2; ++m)
      for (std::size_t p = 0; p < 3; ++p)
        EXPECT_TRUE(same_bits(back[c].groups[1].metrics[m][p], cells[c].groups[1].metrics[m][p]));
    EXPECT_EQ(back[c].groups[0].objective, cells[c].groups[0].objective);
    EXPECT_EQ(back[c].groups[0].bootstrap_optimum, cells[c].groups[0].bootstrap_optimum);
  }
}

// Before the checksum, 152 of 180 flipped bits were resumed into a wrong results file. Now
// every bit of every byte is covered by the SHA-256 (or is the SHA-256).
TEST(Checkpoint, EveryFlippedBitIsRefused) {
  const std::string bytes = encode_checkpoint(kIdentity, sample_cells());
  int accepted = 0;
  for (std::size_t pos = 0; pos < bytes.size(); ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string corrupt = bytes;
      corrupt[pos] = static_cast<char>(corrupt[pos] ^ (1 << bit));
      try {
        decode_checkpoint(corrupt, "ckpt", kIdentity, 3);
        ++accepted;
        ADD_FAILURE() << "accepted a flip of bit " << bit << " at byte " << pos;
      } catch (const std::runtime_error&) {
      }
    }
  }
  EXPECT_EQ(accepted, 0) << "of " << bytes.size() * 8 << " flips";
}

TEST(Checkpoint, TruncatedOrExtendedIsRefused) {
  const std::string bytes = encode_checkpoint(kIdentity, sample_cells());
  for (std::size_t length = 0; length < bytes.size(); ++length)
    EXPECT_THROW(decode_checkpoint(bytes.substr(0, length), "ckpt", kIdentity, 3),
                 std::runtime_error)
        << length;
  EXPECT_THROW(decode_checkpoint(bytes + '\0', "ckpt", kIdentity, 3), std::runtime_error);
}

TEST(Checkpoint, MessagesSayWhatIsWrongAndThatTheFileIsKept) {
  const std::string bytes = encode_checkpoint(kIdentity, sample_cells());
  auto message = [](const std::string& in, const std::string& identity, std::size_t cells) {
    try {
      decode_checkpoint(in, "run.h5.ckpt", identity, cells);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  std::string corrupt = bytes;
  corrupt[bytes.size() / 2] ^= 0x40;
  const std::string damaged = message(corrupt, kIdentity, 3);
  EXPECT_NE(damaged.find("run.h5.ckpt is corrupt"), std::string::npos) << damaged;
  EXPECT_NE(damaged.find("kept"), std::string::npos) << damaged;
  std::string old = bytes.substr(0, bytes.size() - 32);
  old[7] = '1';  // "HMCKPT01": the format before the checksum
  EXPECT_NE(message(old, kIdentity, 3).find("older hedgemap"), std::string::npos);
  std::string before_volatility_axis = bytes;
  before_volatility_axis[7] = '3';  // "HMCKPT03": cells without the /model/ volatilities
  EXPECT_NE(message(before_volatility_axis, kIdentity, 3).find("older hedgemap"),
            std::string::npos);
  std::string before_funding = bytes;
  before_funding[7] = '4';  // "HMCKPT04": cells without /model/funding_mean
  EXPECT_NE(message(before_funding, kIdentity, 3).find("older hedgemap"), std::string::npos);
  std::string before_option_fee = bytes;
  before_option_fee[7] = '5';  // "HMCKPT05": hedging groups without option_fee_mean
  EXPECT_NE(message(before_option_fee, kIdentity, 3).find("older hedgemap"), std::string::npos);
  EXPECT_NE(message(bytes, std::string(64, 'b'), 3).find("another run"), std::string::npos);
  EXPECT_NE(message(bytes, kIdentity, 4).find("another grid size"), std::string::npos);
  EXPECT_NE(message("not a checkpoint at all, longer than its magic and digest", kIdentity, 3)
                .find("not a hedgemap checkpoint"),
            std::string::npos);
}

// A FIFO planted at the checkpoint's name must not hang --resume.
TEST(Checkpoint, LoadRefusesAFifoWithoutWaiting) {
  std::string pattern = (fs::temp_directory_path() / "hedgemap_ckpt_XXXXXX").string();
  const std::string dir = ::mkdtemp(pattern.data());
  const std::string fifo = dir + "/run.h5.ckpt";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(load_checkpoint(fifo, kIdentity, 3), std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THROW(load_checkpoint(dir + "/missing.ckpt", kIdentity, 3), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hedgemap
