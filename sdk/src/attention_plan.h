// Internal: the attention kernel's scratchpad plan and its job/step lists
// (sdk/src/attention.cpp; schedule in docs/performance.md, "Attention").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/sdk/kernels.h"

namespace kiln::sdk {
// Empty when attention() supports the call, else a message naming what is wrong.
std::string attention_check(const AttentionShape &s, const DeviceMatrix &q, const DeviceMatrix &k_new,
                            const DeviceMatrix &v_new, const KvCache &c, uint32_t pos0, const DeviceMatrix &out);
}  // namespace kiln::sdk

namespace kiln::sdk::attn {

// Scratchpad plan in words (32 bytes). Bq = query rows per job (heads of one
// group x positions), Bk = KV positions per step, D = head_dim.
//   bank 0 / 1: S[b] (FP32 Bq x Bk), P[b] (BF16 Bq x Bk), PV[b] (FP32 Bq x D)
//   bank 2:     Q[2] (BF16 Bq x D), K[2], V[2] (BF16 Bk x D)
//   bank 3:     O (FP32 Bq x D), OUT (BF16 Bq x D), the per-row arrays
// The tensor core streams A from P[b] (PV) or Q (S); everything the vector
// unit touches at that time lies in another bank (docs/performance.md).
struct Plan {
  uint32_t bq = 0, bk = 0, d = 0;
  uint32_t s[2], p[2], pv[2], q[2], k[2], v[2], o, out;
  uint32_t m[2], l[2], alpha[2], rmax, rsum, rl;  // packed FP32 arrays of Bq
  uint32_t s_stride, p_stride, dv, df;            // S, P, BF16 D-row, FP32 D-row
  uint32_t acc_s, acc_pv;                         // accumulator rows
};

// Largest Bq (then Bk) in {128, 64, 32, 16} whose plan fits the scratchpad
// banks and the accumulator; false if none does (head_dim too large).
bool make_plan(uint32_t head_dim, Plan *p);

// One job: `gb` query heads of KV head `hk` (q heads hk*G + g0 .. + gb - 1)
// at new-token rows t0 .. t0 + tq - 1, stacked as rows g*tq + t.
struct Job {
  uint32_t hk, g0, gb, t0, tq;
  uint32_t qpos0;  // absolute position of row t = 0
  uint32_t len;    // KV positions it attends to: 0 .. len - 1
};
// One step: a job's KV block kv0 .. kv0 + bk - 1.
struct Step {
  uint32_t job, kv0, bk;
  bool first, last, diag;  // diag: the causal mask cuts into this block
};

void make_jobs(uint32_t n_heads, uint32_t n_kv_heads, uint32_t tokens, uint32_t pos0,
               const Plan &p, std::vector<Job> *jobs, std::vector<Step> *steps);
std::string shape_of(const DeviceMatrix &m);

}  // namespace kiln::sdk::attn
