// `hedgemap inspect` and `hedgemap export`: the optima of a results file as a terminal table, or
// as CSV / JSON for a rebalancing keeper (format documented at the top of results_inspect.cpp).
#pragma once
#include <ostream>
#include <string>

#include "host/formats/optima_reader.hpp"

namespace hedgemap {

// Prints, for each results file, a terminal-readable table: one row per (volatility, expiry_days)
// cell and per policy group (/hedging/*, /cppi, /vol_target) with the optimal parameter(s) (grid
// and refined where present), the optimal objective, the confidence, and for hedging the best
// policy per cell (/best/hedging_policy with attribute `policies`). Also a header with the root
// attributes title, source, date_created, backend, device, paths, seed. Returns the exit code
// (0; 1 if the file cannot be read: message to stderr naming the file and the object). The file
// is read in a child process (isolated_call.hpp): a crash inside libhdf5 is exit 1 too.
int inspect_results(const std::string& path, std::ostream& out);

// The table inspect_results prints, for optima already read.
void print_inspection(const ResultsOptima& r, std::ostream& out);

// The text export_results writes: format "csv" or "json" (anything else: "json").
std::string export_text(const ResultsOptima& r, const std::string& format);

// Writes the optimal threshold per (volatility, expiry_days, policy) with objective and
// confidence, as CSV or JSON (format: "csv" | "json"). output_path empty -> stdout; else written
// atomically. NaN is an empty CSV field / JSON null. Returns the exit code (0; 1 on a read or
// write failure or an unknown format; 2 when output_path is not a regular file's path, checked
// before reading: message to stderr).
int export_results(const std::string& path, const std::string& format,
                   const std::string& output_path);

}  // namespace hedgemap
