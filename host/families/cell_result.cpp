#include "host/families/cell_result.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace hedgemap {
namespace {

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <class T>
T get(const std::string& in, std::size_t& pos) {
  if (pos + sizeof(T) > in.size()) throw std::runtime_error("checkpoint is truncated");
  T value;
  std::memcpy(&value, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return value;
}

template <class T>
void put_vector(std::string& out, const std::vector<T>& v) {
  put<std::uint64_t>(out, v.size());
  for (const T& x : v) put<T>(out, x);
}

template <class T>
std::vector<T> get_vector(const std::string& in, std::size_t& pos) {
  const auto n = get<std::uint64_t>(in, pos);
  if (n > (in.size() - pos) / sizeof(T)) throw std::runtime_error("checkpoint is corrupt");
  std::vector<T> v(n);
  for (auto& x : v) x = get<T>(in, pos);
  return v;
}

}  // namespace

void encode_cell(const CellResult& cell, std::string& out) {
  const ModelCell& m = cell.model;
  for (double x : {m.book_price, m.book_price_mc, m.book_price_mc_stderr, m.gap_events_mean,
                   m.jumps_mean, m.terminal_spot_mean, m.terminal_spot_stderr, m.implied_volatility,
                   m.realised_volatility_total, m.diffusive_volatility, m.realised_volatility_mc,
                   m.funding_mean})
    put<double>(out, x);
  put<std::uint64_t>(out, cell.groups.size());
  for (const GroupCellResult& g : cell.groups) {
    put<std::uint64_t>(out, g.metrics.size());
    for (const auto& metric : g.metrics) put_vector(out, metric);
    put_vector(out, g.objective);
    put_vector(out, g.objective_stderr);
    put_vector(out, g.objective_paired_stderr);
    put_vector(out,
               std::vector<std::int32_t>(g.bootstrap_optimum.begin(), g.bootstrap_optimum.end()));
    put_vector(out, g.bootstrap_refined);
  }
}

CellResult decode_cell(const std::string& in, std::size_t& pos) {
  CellResult cell;
  cell.done = true;
  ModelCell& m = cell.model;
  for (double* x : {&m.book_price, &m.book_price_mc, &m.book_price_mc_stderr, &m.gap_events_mean,
                    &m.jumps_mean, &m.terminal_spot_mean, &m.terminal_spot_stderr,
                    &m.implied_volatility, &m.realised_volatility_total, &m.diffusive_volatility,
                    &m.realised_volatility_mc, &m.funding_mean})
    *x = get<double>(in, pos);
  const auto groups = get<std::uint64_t>(in, pos);
  if (groups > 1000) throw std::runtime_error("checkpoint is corrupt");
  cell.groups.resize(groups);
  for (GroupCellResult& g : cell.groups) {
    const auto metrics = get<std::uint64_t>(in, pos);
    if (metrics > 1000) throw std::runtime_error("checkpoint is corrupt");
    g.metrics.resize(metrics);
    for (auto& metric : g.metrics) metric = get_vector<double>(in, pos);
    g.objective = get_vector<double>(in, pos);
    g.objective_stderr = get_vector<double>(in, pos);
    g.objective_paired_stderr = get_vector<double>(in, pos);
    const auto optima = get_vector<std::int32_t>(in, pos);
    g.bootstrap_optimum.assign(optima.begin(), optima.end());
    g.bootstrap_refined = get_vector<double>(in, pos);
  }
  return cell;
}

}  // namespace hedgemap
