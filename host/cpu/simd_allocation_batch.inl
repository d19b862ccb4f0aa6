// One batch of kLanes paths of CppiKernel<float> or VolTargetKernel<float>, lane-parallel.
// Included by host/cpu/simd_allocation.cpp once per instruction set, after
// host/cpu/simd_process.inl and a v_logd (SLEEF log on kLanes doubles). Mirrors
// CppiPortfolios::step, VolTargetPortfolios::step and rebalance_to_exposure
// (kernels/cppi_kernel.hpp, kernels/vol_target_kernel.hpp, kernels/allocation_rebalance.hpp)
// operation for operation: the accounting stays in double (8 lanes per AVX-512 register), trade
// costs in float as trade_cost<float> computes them. No include guard: deliberately compiled
// several times.

// The portfolio of one (parameter, tolerance) point in every lane.
struct AllocationLanes {
  alignas(64) double units[kLanes], cash[kLanes], cost[kLanes];
  alignas(64) std::int32_t trades[kLanes], last_trade[kLanes];
};

struct CppiLanes : AllocationLanes {
  alignas(64) std::int32_t breached[kLanes];
};

struct VolTargetLanes : AllocationLanes {
  alignas(64) double last_value[kLanes], sum_log[kLanes],
      sum_log_sq[kLanes], peak[kLanes], drawdown[kLanes];
};

static inline void start_lanes(AllocationLanes& s, double capital) {
  HM_LANES {
    s.units[j] = 0.0;
    s.cash[j] = capital;
    s.cost[j] = 0.0;
    s.trades[j] = 0;
    s.last_trade[j] = -1;
  }
}

// AllocationAccountsOf::close_if_ruined() of lane j, as blends: a lane marked at V <= 0 is
// closed at 0 (units, cash, exposure and V set to 0) for good.
static inline void close_lane_if_ruined(AllocationLanes& s, int j, double& exposure,
                                        double& value) {
  const bool ruined = !(value > 0.0);
  s.units[j] = ruined ? 0.0 : s.units[j];
  s.cash[j] = ruined ? 0.0 : s.cash[j];
  exposure = ruined ? 0.0 : exposure;
  value = ruined ? 0.0 : value;
}

// Where the MarketPoint is common to the lanes (index) or per lane (the rest).
struct DecisionLanes {
  int index;
  alignas(64) double spot[kLanes];
  alignas(64) std::int32_t can_trade[kLanes], last_blocked[kLanes];
};

// rebalance_to_exposure() of every lane: trade to `target` when the exposure is off it by more
// than `tolerance`, where the lane can trade, the trade is non-zero and not below the minimum
// order, and the pool can fill it.
static inline void rebalance_lanes(const CostParams& c, float volatility, AllocationLanes& s,
                                   const double* exposure, const double* target, double tolerance,
                                   const DecisionLanes& d, const ProcessLanes& m) {
  alignas(64) double n[kLanes];
  alignas(64) float units[kLanes], impact[kLanes];
  alignas(64) std::int32_t go[kLanes];
  int any = 0;
#pragma omp simd reduction(| : any)
  for (int j = 0; j < kLanes; ++j) {
    n[j] = target[j] / d.spot[j] - s.units[j];
    go[j] = d.can_trade[j] & int(exposure_off_target(exposure[j], target[j], tolerance)) &
            int(order_sent(n[j], c.min_trade_units));
    units[j] = float(n[j]);
    any |= go[j];
  }
  if (!any) return;
  // kernels/execution_costs.hpp's terms, the impact model chosen once for every lane.
  const TradeCostModel<float> model(c, volatility);
  switch (c.impact) {
    case ImpactModel::linear:
      HM_LANES impact[j] = model.linear_impact(units[j], m.fill_spot[j]);
      break;
    case ImpactModel::sqrt_law:
      HM_LANES impact[j] = model.sqrt_law_impact(units[j], m.fill_spot[j]);
      break;
    case ImpactModel::amm:
      HM_LANES impact[j] = model.amm_impact(units[j], m.fill_spot[j]);
      break;
    default:
      HM_LANES impact[j] = 0.0f;
  }
  const int index = d.index;
  HM_LANES {
    const float u = units[j], fill = m.fill_spot[j];
    const bool congested = s.last_trade[j] < d.last_blocked[j];
    const float fee = model.fee(u, fill);
    const float g = model.gas_paid(m.gas_factor[j], congested);
    const double paid = double(fee + g + impact[j]);
    const bool done = (go[j] != 0) & (paid < double(INFINITY));
    // x - (done ? dx : 0) is exact where not done: blends, no masked stores or branches.
    s.cash[j] -= done ? n[j] * double(fill) + paid : 0.0;
    s.units[j] += done ? n[j] : 0.0;
    s.cost[j] += done ? paid : 0.0;
    s.trades[j] += int(done);
    s.last_trade[j] = done ? index : s.last_trade[j];
  }
}

// The MarketPoint's per-lane part for the portfolios; true when some lane can trade.
static inline bool decision_lanes(const ProcessLanes& m, int index, bool is_expiry,
                                  DecisionLanes& d) {
  d.index = index;
  int any = 0;
#pragma omp simd reduction(| : any)
  for (int j = 0; j < kLanes; ++j) {
    d.spot[j] = double(m.spot[j]);
    d.can_trade[j] = int(m.blocked[j] == 0) & int(!is_expiry);
    d.last_blocked[j] = m.blocked[j] ? index : d.last_blocked[j];
    any |= d.can_trade[j];
  }
  return any != 0;
}

// CppiKernel<float>::operator() for paths first .. first + kLanes - 1; writes the first `valid`.
static void run_cppi_batch(const CppiKernel<float>& k, const ProcessConstants& c,
                           std::uint64_t first, int valid, double* out, std::uint64_t stride,
                           std::uint64_t out_index) {
  const ProcessParams& p = k.process;
  const CppiSettings& s = k.settings;
  ProcessLanes m;
  DecisionLanes d;
  CppiLanes book[kMaxAllocationPoints];
  alignas(64) double exposure[kLanes], target[kLanes];
  process_start(m, first);
  HM_LANES d.last_blocked[j] = -1;
  for (int pt = 0; pt < s.points; ++pt) {
    start_lanes(book[pt], s.capital);
    HM_LANES book[pt].breached[j] = 0;
  }
  const double growth = exp(s.rate * s.dt);
  const float volatility = float(p.realised_volatility);  // the sqrt impact law's sigma
  for (int step = 0;; ++step) {
    const bool is_expiry = step == p.steps;
    process_emit(p, c, m, step);
    const bool trading = decision_lanes(m, step, is_expiry, d);
    if (step > 0)
      for (int pt = 0; pt < s.points; ++pt) HM_LANES book[pt].cash[j] *= growth;
    const double floor_now = s.discounted_floor(step);
    for (int pt = 0; pt < s.points; ++pt) {
      CppiLanes& b = book[pt];
      const double multiplier = s.multiplier[pt], max_leverage = s.max_leverage;
      HM_LANES {
        exposure[j] = b.units[j] * d.spot[j];
        double value = exposure[j] + b.cash[j];
        close_lane_if_ruined(b, j, exposure[j], value);
        b.breached[j] |= int(value < floor_now);
        target[j] = cppi_target_exposure(value, floor_now, multiplier, max_leverage);
      }
      if (trading) rebalance_lanes(k.costs, volatility, b, exposure, target, s.tolerance[pt], d, m);
    }
    if (is_expiry) break;
    process_advance(m);
  }
  for (int pt = 0; pt < s.points; ++pt) {  // V_T marked to market at S_T
    const CppiLanes& b = book[pt];
    double* col = out + std::uint64_t(pt * CppiKernel<float>::kPerPoint) * stride + out_index;
    for (int j = 0; j < valid; ++j) {
      col[CppiKernel<float>::terminal_value * stride + j] = b.units[j] * d.spot[j] + b.cash[j];
      col[CppiKernel<float>::floor_breach * stride + j] = b.breached[j] ? 1.0 : 0.0;
      col[CppiKernel<float>::cost_paid * stride + j] = b.cost[j];
      col[CppiKernel<float>::trade_count * stride + j] = double(b.trades[j]);
    }
  }
}

// VolTargetKernel<float>::operator() for paths first .. first + kLanes - 1; writes the first
// `valid`.
static void run_vol_target_batch(const VolTargetKernel<float>& k, const ProcessConstants& c,
                                 std::uint64_t first, int valid, double* out, std::uint64_t stride,
                                 std::uint64_t out_index) {
  using K = VolTargetKernel<float>;
  const ProcessParams& p = k.process;
  const VolTargetSettings& s = k.settings;
  ProcessLanes m;
  DecisionLanes d;
  VolTargetLanes book[kMaxAllocationPoints];
  alignas(64) double exposure[kLanes], value[kLanes], target[kLanes], ratio[kLanes], lr[kLanes];
  alignas(64) double last_spot[kLanes], variance_hat[kLanes], sigma_hat[kLanes];
  process_start(m, first);
  HM_LANES {
    d.last_blocked[j] = -1;
    variance_hat[j] = s.initial_volatility * s.initial_volatility;
  }
  for (int pt = 0; pt < s.points; ++pt) {
    VolTargetLanes& b = book[pt];
    start_lanes(b, s.capital);
    HM_LANES {
      b.last_value[j] = s.capital;
      b.sum_log[j] = b.sum_log_sq[j] = 0.0;
      b.peak[j] = s.capital;
      b.drawdown[j] = 0.0;
    }
  }
  const double growth = exp(s.rate * s.dt), ruin = 1e-12 * s.capital;
  const float volatility = float(p.realised_volatility);  // the sqrt impact law's sigma
  for (int step = 0;; ++step) {
    const bool is_expiry = step == p.steps;
    process_emit(p, c, m, step);
    const bool trading = decision_lanes(m, step, is_expiry, d);
    if (step > 0) {  // EWMA of the underlying's annualized squared log return
      HM_LANES ratio[j] = d.spot[j] / last_spot[j];
      v_logd(ratio, lr);
      HM_LANES variance_hat[j] = ewma_variance(variance_hat[j], s.ewma_decay, lr[j], s.dt);
      for (int pt = 0; pt < s.points; ++pt) HM_LANES book[pt].cash[j] *= growth;
    }
    HM_LANES {
      last_spot[j] = d.spot[j];
      sigma_hat[j] = sqrt(variance_hat[j]);
    }
    for (int pt = 0; pt < s.points; ++pt) {
      VolTargetLanes& b = book[pt];
      HM_LANES {
        exposure[j] = b.units[j] * d.spot[j];
        value[j] = exposure[j] + b.cash[j];
        close_lane_if_ruined(b, j, exposure[j], value[j]);
        ratio[j] = (value[j] > ruin ? value[j] : ruin) / b.last_value[j];
      }
      if (step > 0) {  // log return of the portfolio
        v_logd(ratio, lr);
        HM_LANES {
          b.sum_log[j] += lr[j];
          b.sum_log_sq[j] += lr[j] * lr[j];
          b.last_value[j] = value[j] > ruin ? value[j] : ruin;
        }
      }
      const double goal = s.target[pt], max_leverage = s.max_leverage;
      HM_LANES {
        track_drawdown(value[j], b.peak[j], b.drawdown[j]);
        target[j] = vol_target_exposure(value[j], sigma_hat[j], goal, max_leverage);
      }
      if (trading) rebalance_lanes(k.costs, volatility, b, exposure, target, s.tolerance[pt], d, m);
    }
    if (is_expiry) break;
    process_advance(m);
  }
  VolTargetPortfolios one;  // realised_volatility() of the scalar kernel, lane by lane
  for (int pt = 0; pt < s.points; ++pt) {
    const VolTargetLanes& b = book[pt];
    double* col = out + std::uint64_t(pt * K::kPerPoint) * stride + out_index;
    for (int j = 0; j < valid; ++j) {
      one.sum_log[0] = b.sum_log[j];
      one.sum_log_sq[0] = b.sum_log_sq[j];
      col[K::terminal_value * stride + j] = b.units[j] * d.spot[j] + b.cash[j];
      col[K::cost_paid * stride + j] = b.cost[j];
      col[K::trade_count * stride + j] = double(b.trades[j]);
      col[K::realised_volatility * stride + j] = one.realised_volatility(0, p.steps, p.dt);
      col[K::max_drawdown * stride + j] = b.drawdown[j];
    }
  }
}

#undef HM_LANES
