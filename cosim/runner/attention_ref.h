// FP64 reference of causal GQA attention over a KV cache, written straight
// from the definition (per head, per query: scores, softmax, weighted sum),
// independent of the kernel's tiling. Shared by the attention and
// decoder_layer cosim tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace kiln::cosim {

struct AttnRefShape {
  uint32_t n_heads, n_kv_heads, head_dim, max_len;
};

// q [T][n_heads*D]; kc, vc [n_kv_heads*max_len][D] (all positions < pos0 + T
// filled). Returns out [T][n_heads*D]; if err_scale is given, also per output
// element sum_j p_j |v_j| (the scale of the BF16 rounding error of P).
inline std::vector<double> ref_attention(const AttnRefShape &s, const std::vector<double> &q,
                                         const std::vector<double> &kc, const std::vector<double> &vc,
                                         uint32_t tokens, uint32_t pos0, std::vector<double> *err_scale = nullptr) {
  const uint32_t D = s.head_dim, G = s.n_heads / s.n_kv_heads, QD = s.n_heads * D;
  const double scale = 1.0 / std::sqrt(double(D));
  std::vector<double> out(size_t(tokens) * QD, 0.0);
  if (err_scale) err_scale->assign(out.size(), 0.0);
  std::vector<double> p;
  for (uint32_t t = 0; t < tokens; ++t) {
    const uint32_t pos = pos0 + t;
    for (uint32_t h = 0; h < s.n_heads; ++h) {
      const size_t base = size_t(h / G) * s.max_len;
      const double *qv = &q[size_t(t) * QD + size_t(h) * D];
      p.assign(pos + 1, 0.0);
      double mx = -INFINITY;
      for (uint32_t j = 0; j <= pos; ++j) {
        double dot = 0;
        for (uint32_t d = 0; d < D; ++d) dot += qv[d] * kc[(base + j) * D + d];
        p[j] = dot * scale;
        mx = std::max(mx, p[j]);
      }
      double sum = 0;
      for (uint32_t j = 0; j <= pos; ++j) sum += (p[j] = std::exp(p[j] - mx));
      for (uint32_t d = 0; d < D; ++d) {
        double acc = 0, mag = 0;
        for (uint32_t j = 0; j <= pos; ++j) {
          acc += p[j] * vc[(base + j) * D + d];
          mag += p[j] * std::fabs(vc[(base + j) * D + d]);
        }
        out[size_t(t) * QD + size_t(h) * D + d] = acc / sum;
        if (err_scale) (*err_scale)[size_t(t) * QD + size_t(h) * D + d] = mag / sum;
      }
    }
  }
  return out;
}

}  // namespace kiln::cosim
