// The optimum of an objective over a policy's parameter grid, and its refinement between grid
// points: a parabola through the best point and its two neighbours, in log(parameter) where the
// axis is geometric, whose vertex is the refined optimum (kept inside the neighbours' interval).
// At the edge of the grid, or when the three points are not convex, the grid value is kept.
#pragma once
#include <vector>

#include "host/statistics/policy_group.hpp"

namespace hedgemap {

struct GridOptimum {
  int index = -1;                 // into the (row-major) grid points; -1 when none is finite
  double objective = 0.0;         // NaN when index < 0
  std::vector<double> parameter;  // per axis; NaN when index < 0
  double refined = 0.0;           // 1-D axes only: refined parameter (NaN when index < 0)
};

GridOptimum find_optimum(const GroupSpec& group, const std::vector<double>& objective);

// Vertex of the parabola through (x0,y0), (x1,y1), (x2,y2) with x0 < x1 < x2; returns x1 if the
// parabola does not open towards the optimum (sense) or the points are degenerate.
double parabola_vertex(double x0, double y0, double x1, double y1, double x2, double y2,
                       Sense sense);

}  // namespace hedgemap
