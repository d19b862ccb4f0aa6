// Everything computed for one cell of the volatility x expiry grid, and its checkpoint encoding.
#pragma once
#include <string>
#include <vector>

#include "host/families/model_summary.hpp"
#include "host/statistics/policy_group.hpp"

namespace hedgemap {

struct CellResult {
  bool done = false;
  ModelCell model;
  std::vector<GroupCellResult> groups;  // in the order of the sweep's GroupSpecs
};

// Binary encoding (doubles bit-exact) so a resumed run equals an uninterrupted one.
void encode_cell(const CellResult& cell, std::string& out);
// Reads one cell at `pos`, advancing it; throws std::runtime_error on a truncated buffer.
CellResult decode_cell(const std::string& in, std::size_t& pos);

}  // namespace hedgemap
