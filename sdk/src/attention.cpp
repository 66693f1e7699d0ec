// Causal grouped-query attention with a KV cache, flash-style: KV blocks with
// an online softmax, software-pipelined so that the tensor core and the vector
// unit work at the same time. Plan and schedule: docs/performance.md,
// "Attention"; plan details in attention_plan.h.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "attention_plan.h"
#include "kiln/sdk/kernels.h"
#include "kiln/sdk/vector.h"
#include "kiln_hw.h"

namespace kiln::sdk {
namespace attn {
namespace {

constexpr uint32_t kWord = KILN_HW_SCRATCHPAD_WORD_BYTES;
constexpr uint32_t kBankWords = KILN_HW_SCRATCHPAD_WORDS / KILN_HW_SCRATCHPAD_BANKS;
constexpr uint32_t kAccRows = KILN_HW_TENSOR_CORE_ACC_ROWS;
constexpr uint32_t kLoad = 0;   // DMA channel: Q and K loads
constexpr uint32_t kOther = 1;  // DMA channel: V loads, output stores
static_assert(KILN_HW_SCRATCHPAD_BANKS == 4, "the attention plan uses four banks");
static_assert(KILN_HW_DMA_CHANNELS >= 2, "attention uses two DMA channels");

}  // namespace

bool make_plan(uint32_t d, Plan *out) {
  if (d == 0 || d % 16) return false;
  for (uint32_t bq : {128u, 64u, 32u, 16u}) {
    for (uint32_t bk : {128u, 64u, 32u, 16u}) {
      Plan p{};
      p.bq = bq, p.bk = bk, p.d = d;
      p.s_stride = bk / 8, p.p_stride = bk / 16, p.dv = d / 16, p.df = d / 8;
      const uint32_t s_w = bq * p.s_stride, p_w = bq * p.p_stride, pv_w = bq * p.df;
      const uint32_t q_w = bq * p.dv, kv_w = bk * p.dv, arr = bq / 8;
      if (s_w + p_w + pv_w > kBankWords || 2 * q_w + 4 * kv_w > kBankWords ||
          pv_w + q_w + 9 * arr > kBankWords || bq * (bk / 16) + bq * (d / 16) > kAccRows)
        continue;
      for (uint32_t b = 0; b < 2; ++b) {
        p.s[b] = b * kBankWords;
        p.p[b] = p.s[b] + s_w;
        p.pv[b] = p.p[b] + p_w;
      }
      const uint32_t b2 = 2 * kBankWords, b3 = 3 * kBankWords;
      p.q[0] = b2, p.q[1] = b2 + q_w;
      p.k[0] = b2 + 2 * q_w, p.k[1] = p.k[0] + kv_w;
      p.v[0] = p.k[1] + kv_w, p.v[1] = p.v[0] + kv_w;
      p.o = b3, p.out = b3 + pv_w;
      uint32_t a = p.out + q_w;
      for (uint32_t *x : {&p.m[0], &p.m[1], &p.l[0], &p.l[1], &p.alpha[0], &p.alpha[1], &p.rmax, &p.rsum, &p.rl})
        *x = a, a += arr;
      p.acc_s = 0, p.acc_pv = bq * (bk / 16);
      *out = p;
      return true;
    }
  }
  return false;
}

void make_jobs(uint32_t n_heads, uint32_t n_kv_heads, uint32_t tokens, uint32_t pos0, const Plan &p,
               std::vector<Job> *jobs, std::vector<Step> *steps) {
  const uint32_t G = n_heads / n_kv_heads;
  const uint32_t tq = std::min(tokens, p.bq);
  const uint32_t gb = tokens <= p.bq ? std::max(1u, std::min(G, p.bq / tq)) : 1u;
  for (uint32_t hk = 0; hk < n_kv_heads; ++hk)
    for (uint32_t t0 = 0; t0 < tokens; t0 += tq)
      for (uint32_t g0 = 0; g0 < G; g0 += gb) {
        Job j{hk, g0, std::min(gb, G - g0), t0, std::min(tq, tokens - t0), pos0 + t0, 0};
        j.len = j.qpos0 + j.tq;
        const uint32_t ji = uint32_t(jobs->size());
        jobs->push_back(j);
        for (uint32_t kv0 = 0; kv0 < j.len; kv0 += p.bk) {
          Step s{ji, kv0, std::min(p.bk, j.len - kv0), kv0 == 0, kv0 + p.bk >= j.len, false};
          s.diag = s.kv0 + s.bk - 1 > j.qpos0;  // some column > row + (qpos0 - kv0)
          steps->push_back(s);
        }
      }
}

namespace {

// Emits the command stream of one attention call (see docs/performance.md).
class Emitter {
 public:
  Emitter(kiln::CommandBuffer &cb, const AttentionShape &sh, const Plan &p, const DeviceMatrix &q,
          const DeviceMatrix &k_new, const DeviceMatrix &v_new, const KvCache &c, uint32_t pos0,
          const DeviceMatrix &out)
      : cb_(cb), sh_(sh), p_(p), q_(q), kn_(k_new), vn_(v_new), c_(c), pos0_(pos0), out_(out) {
    make_jobs(sh.n_heads, sh.n_kv_heads, q.rows, pos0, p, &jobs_, &steps_);
    scale_ = float(1.0 / std::sqrt(double(sh.head_dim)));
  }

  void emit() {
    cb_.barrier(KILN_UNIT_ALL);  // earlier kernels' units and stores are done
    append_kv();
    const uint32_t n = uint32_t(steps_.size());
    load_q(0);
    load_k(0);
    cb_.barrier(KILN_UNIT_DMA(kLoad));
    gemm_s(0);
    wb_s(0);
    cb_.barrier(KILN_UNIT_TC);
    for (uint32_t s = 0; s <= n; ++s) iteration(s, n);
    if (pending_store_ >= 0) store_out(uint32_t(pending_store_));
    cb_.barrier(KILN_UNIT_ALL);
  }

 private:
  uint32_t rows(const Job &j) const { return j.gb * j.tq; }
  const Job &job(uint32_t s) const { return jobs_[steps_[s].job]; }
  uint32_t head(const Job &j, uint32_t g) const { return j.hk * (sh_.n_heads / sh_.n_kv_heads) + j.g0 + g; }
  uint32_t dbytes() const { return p_.d * 2; }

  // ---- DMA ----
  void append_kv() {
    // New K/V rows go through the scratchpad (banks 0 and 1, before the
    // pipeline uses them): one load of all KV heads per chunk, one store per head.
    const uint32_t T = q_.rows, nkv = sh_.n_kv_heads, row_w = nkv * p_.dv;
    const uint32_t chunk = std::min(T, kBankWords / row_w);
    const DeviceMatrix *src[2] = {&kn_, &vn_};
    const DeviceMatrix *dst[2] = {&c_.k, &c_.v};
    for (uint32_t t0 = 0; t0 < T; t0 += chunk) {
      const uint32_t n = std::min(chunk, T - t0);
      for (uint32_t i = 0; i < 2; ++i)
        cb_.dma(i, 0, src[i]->addr(t0, 0), i * kBankWords * kWord, row_w * kWord, n, src[i]->stride,
                row_w * kWord);
      cb_.barrier(KILN_UNIT_DMA(0) | KILN_UNIT_DMA(1));
      for (uint32_t hk = 0; hk < nkv; ++hk)
        for (uint32_t i = 0; i < 2; ++i)
          cb_.dma(i, 1, dst[i]->addr(hk * c_.max_len + pos0_ + t0, 0), (i * kBankWords + hk * p_.dv) * kWord,
                  dbytes(), n, dst[i]->stride, row_w * kWord);
      cb_.barrier(KILN_UNIT_DMA(0) | KILN_UNIT_DMA(1));
    }
  }
  void load_q(uint32_t s) {
    const Job &j = job(s);
    const uint32_t buf = steps_[s].job % 2;
    for (uint32_t g = 0; g < j.gb; ++g)
      cb_.dma(kLoad, 0, q_.addr(j.t0, head(j, g) * p_.d), (p_.q[buf] + g * j.tq * p_.dv) * kWord, dbytes(), j.tq,
              q_.stride, p_.dv * kWord);
  }
  void load_kv(uint32_t s, const DeviceMatrix &m, uint32_t spad, uint32_t ch) {
    const Step &st = steps_[s];
    cb_.dma(ch, 0, m.addr(job(s).hk * c_.max_len + st.kv0, 0), spad * kWord, dbytes(), st.bk, m.stride,
            p_.dv * kWord);
  }
  void load_k(uint32_t s) { load_kv(s, c_.k, p_.k[s % 2], kLoad); }
  void load_v(uint32_t s) { load_kv(s, c_.v, p_.v[s % 2], kOther); }
  void store_out(uint32_t ji) {
    const Job &j = jobs_[ji];
    for (uint32_t g = 0; g < j.gb; ++g)
      cb_.dma(kOther, 1, out_.addr(j.t0, head(j, g) * p_.d), (p_.out + g * j.tq * p_.dv) * kWord, dbytes(), j.tq,
              out_.stride, p_.dv * kWord);
  }

  // ---- tensor core ----
  void gemm_s(uint32_t s) {  // S = Q K^T (K block as transposed B), FP32 accumulator
    const Step &st = steps_[s];
    cb_.gemm_flags(KILN_GEMM_B_TRANSPOSED, p_.q[st.job % 2], p_.dv, p_.k[s % 2], p_.dv, p_.acc_s, rows(job(s)),
                   st.bk, p_.d);
  }
  void wb_s(uint32_t s) { cb_.writeback(true, p_.acc_s, p_.s[s % 2], p_.s_stride, rows(job(s)), steps_[s].bk); }
  void gemm_pv(uint32_t s) {  // P V, V block as plain B
    cb_.gemm_flags(0, p_.p[s % 2], p_.p_stride, p_.v[s % 2], p_.dv, p_.acc_pv, rows(job(s)), p_.d, steps_[s].bk);
  }
  void wb_pv(uint32_t s) {  // a job's first block goes straight to O
    cb_.writeback(true, p_.acc_pv, steps_[s].first ? p_.o : p_.pv[s % 2], p_.df, rows(job(s)), p_.d);
  }

  // ---- vector unit ----
  static SpadRows f32(uint32_t addr, uint32_t stride = 0) { return {addr, stride, DType::FP32}; }
  void vec(VecOp op, uint32_t r, uint32_t cols, SpadRows src0, Src1 src1, SpadRows dst, uint32_t src2 = 0,
           int64_t rowsum = -1, int32_t mask = 0) {
    VecCmd v(op, r, cols);
    v.src0 = src0, v.src1 = src1, v.dst = dst, v.src2_addr = src2, v.rowsum_addr = rowsum, v.mask_offset = mask;
    vector_command(cb_, v);
  }
  // Part 2: running max, P = exp(S - m) in BF16 with its row sums.
  void softmax_exp(uint32_t s) {
    const Step &st = steps_[s];
    const uint32_t r = rows(job(s)), b = s % 2;
    if (!st.first) vec(VecOp::Max, 1, r, f32(p_.m[1 - b]), Src1::rows(p_.rmax, 0, DType::FP32), f32(p_.m[b]));
    vec(VecOp::Exp, r, st.bk, f32(p_.s[b], p_.s_stride), Src1::scalars(p_.m[b]), {p_.p[b], p_.p_stride, DType::BF16},
        0, st.first ? p_.l[st.job % 2] : p_.rsum);
  }
  // Part 3: alpha = exp(m_old - m_new), l = l * alpha + rowsum.
  void softmax_tail(uint32_t s) {
    const Step &st = steps_[s];
    if (st.first) return;
    const uint32_t r = rows(job(s)), b = s % 2, l = p_.l[st.job % 2];
    vec(VecOp::Exp, 1, r, f32(p_.m[1 - b]), Src1::rows(p_.m[b], 0, DType::FP32), f32(p_.alpha[b]));
    vec(VecOp::Axpy, 1, r, f32(l), Src1::rows(p_.alpha[b], 0, DType::FP32), f32(l), p_.rsum);
  }
  // O = O * alpha + PV of block s; after a job's last block, OUT = O / l.
  void accumulate_o(uint32_t s) {
    const Step &st = steps_[s];
    const uint32_t r = rows(job(s));
    const SpadRows O = f32(p_.o, p_.df);
    if (!st.first) vec(VecOp::Axpy, r, p_.d, O, Src1::scalars(p_.alpha[s % 2]), O, p_.pv[s % 2]);
    if (st.last) {
      vec(VecOp::Recip, 1, r, f32(p_.l[st.job % 2]), Src1::immediate(0), f32(p_.rl));
      vec(VecOp::Mul, r, p_.d, O, Src1::scalars(p_.rl), {p_.out, p_.dv, DType::BF16});
      pending_store_ = int64_t(st.job);
    }
  }

  // Iteration s: the tensor core does PV of block s-1 and S of block s+1
  // while the vector unit does the softmax of block s and O of block s-1.
  void iteration(uint32_t s, uint32_t n) {
    const bool cur = s < n, prev = s >= 1, next = s + 1 < n;
    if (cur) softmax_max_begin(s);
    if (prev) gemm_pv(s - 1);
    if (next) {
      if (steps_[s + 1].first) load_q(s + 1);
      load_k(s + 1);
    }
    if (pending_store_ >= 0) {
      store_out(uint32_t(pending_store_));
      pending_store_ = -1;
    }
    if (cur) load_v(s);
    if (cur) softmax_max_end(s);
    if (prev) wb_pv(s - 1);
    cb_.barrier(KILN_UNIT_TC | KILN_UNIT_DMA(kLoad) | KILN_UNIT_DMA(kOther));
    if (next) gemm_s(s + 1);
    if (prev) accumulate_o(s - 1);
    if (cur) softmax_exp(s);
    if (next) wb_s(s + 1);
    if (cur) softmax_tail(s);
    cb_.barrier(KILN_UNIT_TC | KILN_UNIT_VU | KILN_UNIT_DMA(kOther));
  }
  // The first vector op goes out before the PV GEMM, the rest after it, so
  // both units start at once.
  void softmax_max_begin(uint32_t s) {
    const Step &st = steps_[s];
    const SpadRows S = f32(p_.s[s % 2], p_.s_stride);
    vec(VecOp::Mul, rows(job(s)), st.bk, S, Src1::immediate(scale_), S);
  }
  void softmax_max_end(uint32_t s) {
    const Step &st = steps_[s];
    const Job &j = job(s);
    const SpadRows S = f32(p_.s[s % 2], p_.s_stride);
    if (st.diag)
      for (uint32_t g = 0; g < j.gb; ++g) {
        const SpadRows Sg = f32(S.addr + g * j.tq * p_.s_stride, p_.s_stride);
        vec(VecOp::MaskCausal, j.tq, st.bk, Sg, Src1::immediate(0), Sg, 0, -1, int32_t(j.qpos0 - st.kv0));
      }
    vec(VecOp::RowMax, rows(j), st.bk, S, Src1::immediate(0), f32(st.first ? p_.m[s % 2] : p_.rmax));
  }

  kiln::CommandBuffer &cb_;
  const AttentionShape &sh_;
  const Plan &p_;
  const DeviceMatrix &q_, &kn_, &vn_;
  const KvCache &c_;
  uint32_t pos0_;
  const DeviceMatrix &out_;
  std::vector<Job> jobs_;
  std::vector<Step> steps_;
  float scale_ = 1.0f;
  int64_t pending_store_ = -1;
};

}  // namespace

std::string shape_of(const DeviceMatrix &m) {
  return std::to_string(m.rows) + "x" + std::to_string(m.cols) + " " + dtype_name(m.dtype);
}

}  // namespace attn

KvCache make_kv_cache(kiln::Device &dev, const AttentionShape &s, uint32_t max_len) {
  if (s.n_kv_heads == 0 || s.head_dim == 0 || max_len == 0)
    throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, "make_kv_cache: n_kv_heads, head_dim and max_len must be > 0");
  KvCache c;
  c.k = alloc_matrix(dev, s.n_kv_heads * max_len, s.head_dim, DType::BF16);
  c.v = alloc_matrix(dev, s.n_kv_heads * max_len, s.head_dim, DType::BF16);
  const std::vector<uint8_t> zeros(size_t(c.k.stride) * c.k.rows, 0);
  c.k.buf.write(zeros.data(), zeros.size());
  c.v.buf.write(zeros.data(), zeros.size());
  c.max_len = max_len, c.n_kv_heads = s.n_kv_heads, c.head_dim = s.head_dim;
  return c;
}

std::string attention_check(const AttentionShape &s, const DeviceMatrix &q, const DeviceMatrix &k_new,
                            const DeviceMatrix &v_new, const KvCache &c, uint32_t pos0, const DeviceMatrix &out) {
  std::ostringstream os;
  attn::Plan p;
  const uint32_t D = s.head_dim;
  auto mat = [&](const char *name, const DeviceMatrix &m, uint32_t r, uint32_t cols) {
    if (m.dtype != DType::BF16 || m.rows != r || m.cols != cols) {
      os << "attention: " << name << " is " << attn::shape_of(m) << ", expected " << r << "x" << cols << " BF16";
      return false;
    }
    return true;
  };
  if (s.n_heads == 0 || s.n_kv_heads == 0 || s.n_heads % s.n_kv_heads)
    os << "attention: n_kv_heads (" << s.n_kv_heads << ") must divide n_heads (" << s.n_heads << ")";
  else if (!attn::make_plan(D, &p))
    os << "attention: head_dim " << D << " is not supported (a multiple of 16 from 16 to 512 is)";
  else if (s.n_kv_heads * (D / 16) > attn::kBankWords)
    os << "attention: n_kv_heads * head_dim (" << s.n_kv_heads * D << ") exceeds the staging row of "
       << attn::kBankWords * 16 << " elements";
  else if (c.n_kv_heads != s.n_kv_heads || c.head_dim != D)
    os << "attention: the KV cache is for " << c.n_kv_heads << " KV heads of " << c.head_dim << ", the call has "
       << s.n_kv_heads << " of " << D;
  else if (q.rows == 0)
    os << "attention: q has no rows (T = 0)";
  else if (uint64_t(pos0) + q.rows > c.max_len)
    os << "attention: pos0 + T = " << uint64_t(pos0) + q.rows << " exceeds the cache's max_len " << c.max_len;
  else if (!mat("q", q, q.rows, s.n_heads * D) || !mat("k_new", k_new, q.rows, s.n_kv_heads * D) ||
           !mat("v_new", v_new, q.rows, s.n_kv_heads * D) || !mat("out", out, q.rows, s.n_heads * D) ||
           !mat("cache.k", c.k, s.n_kv_heads * c.max_len, D) || !mat("cache.v", c.v, s.n_kv_heads * c.max_len, D)) {
  } else {
    for (const DeviceMatrix *m : {&q, &k_new, &v_new, &out, &c.k, &c.v})
      if (m->stride % 32 || m->buf.addr() % 32) {
        os << "attention: operand at 0x" << std::hex << m->buf.addr() << " is not 32-byte aligned";
        break;
      }
  }
  return os.str();
}

void attention(kiln::CommandBuffer &cb, Workspace &, const AttentionShape &s, const DeviceMatrix &q,
               const DeviceMatrix &k_new, const DeviceMatrix &v_new, KvCache &cache, uint32_t pos0,
               const DeviceMatrix &out) {
  const std::string why = attention_check(s, q, k_new, v_new, cache, pos0, out);
  if (!why.empty()) throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, why);
  attn::Plan p;
  attn::make_plan(s.head_dim, &p);
  attn::Emitter(cb, s, p, q, k_new, v_new, cache, pos0, out).emit();
}

}  // namespace kiln::sdk
