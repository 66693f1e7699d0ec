// WRITEBACK engine of the tensor core (rtl/tensor_core/README.md,
// "WRITEBACK"): for m = 0..M-1, t = 0..ceil(N/Cols)-1 it reads accumulator
// row ACC_ADDR + t*M + m and writes it to the scratchpad as one BF16 word
// (RNE) at OUT_ADDR + m*OUT_STRIDE + t, or as two FP32/INT32 words at
// OUT_ADDR + m*OUT_STRIDE + 2t (+1). Two stages: the accumulator read of the
// next row overlaps the write of the current one.
module kiln_tc_writeback #(
  parameter int unsigned Cols  = 16,
  parameter int unsigned AccAW = 10,
  parameter int unsigned AW    = 12
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              abort_i,
  // begin a WRITEBACK (core idle, M and N non-zero); the addresses are
  // sampled in this cycle
  input  logic              start_i,
  input  logic [31:0]       cfg_acc_addr_i,
  input  logic [31:0]       cfg_out_addr_i,
  // latched by the controller at start, stable while busy
  input  logic              fp32_i,
  input  logic [31:0]       m_i,
  input  logic [31:0]       n_i,
  input  logic [31:0]       n_tiles_i,
  input  logic [31:0]       out_stride_i,
  output logic              busy_o,
  output logic              stall_o,    // a write was refused
  // accumulator read port (data one cycle after the request)
  output logic              rd_req_o,
  output logic [AccAW-1:0]  rd_addr_o,
  input  logic [Cols*32-1:0] rd_data_i,
  // scratchpad write port
  output logic              o_req_o,
  output logic [AW-1:0]     o_addr_o,
  output logic [255:0]      o_wdata_o,
  output logic [31:0]       o_wstrb_o,
  input  logic              o_gnt_i
);
  if (Cols != 16) begin : g_bad_geometry
    initial $fatal(1, "kiln_tc_writeback: the 256-bit word layout needs 16 lanes");
  end

  // read stage: walks (m, t); the row in flight moves to the write stage
  logic        w_run_q, w_run_d;
  logic [31:0] w_m_q, w_m_d, w_t_q, w_t_d, w_accrow_q, w_accrow_d, w_accptr_q, w_accptr_d;
  logic [31:0] w_outrow_q, w_outrow_d, w_outptr_q, w_outptr_d, w_ncol_q, w_ncol_d;
  logic        w_fire;
  // write stage: one or two words of the row read in the previous step
  logic        wv_q, wv_d, wv_half_q, wv_half_d;
  logic [31:0] wv_addr_q, wv_addr_d, wv_ncol_q, wv_ncol_d;
  logic        wv_step, wv_done;
  logic [31:0] wv_rem;
  logic [15:0] bf16_lane [Cols];

  for (genvar c = 0; c < Cols; c++) begin : g_lane
    kiln_tc_fp32_to_bf16 u_cvt (.a_i(rd_data_i[32*c +: 32]), .h_o(bf16_lane[c]));
  end

  always_comb begin
    {w_run_d, w_m_d, w_t_d, w_accrow_d, w_accptr_d} = {w_run_q, w_m_q, w_t_q, w_accrow_q, w_accptr_q};
    {w_outrow_d, w_outptr_d, w_ncol_d} = {w_outrow_q, w_outptr_q, w_ncol_q};
    {wv_d, wv_half_d, wv_addr_d, wv_ncol_d} = {wv_q, wv_half_q, wv_addr_q, wv_ncol_q};

    wv_rem = n_i - wv_ncol_q;
    // FP32: half h of the accumulator row (lanes 8h..8h+7) as one word.
    for (int i = 0; i < int'(Cols); i++) begin
      o_wdata_o[16*i +: 16] = !fp32_i ? bf16_lane[i] :
                              wv_half_q ? rd_data_i[256 + 16*i +: 16] : rd_data_i[16*i +: 16];
    end
    for (int i = 0; i < 32; i++) begin
      // byte i belongs to BF16 lane i/2, or to FP32 lane i/4 of this half
      o_wstrb_o[i] = fp32_i ? (32'(8 * 32'(wv_half_q) + i / 4) < wv_rem) : (32'(i / 2) < wv_rem);
    end
    o_req_o  = wv_q && (o_wstrb_o != 32'd0);
    o_addr_o = AW'(wv_addr_q);
    wv_step  = wv_q && (!o_req_o || o_gnt_i);
    wv_done  = wv_step && (!fp32_i || wv_half_q);
    w_fire   = w_run_q && (!wv_q || wv_done);
    if (wv_step && !wv_done) begin
      wv_half_d = 1'b1;
      wv_addr_d = wv_addr_q + 32'd1;
    end else if (wv_done) begin
      wv_d = 1'b0;
    end
    if (w_fire) begin
      wv_d      = 1'b1;
      wv_half_d = 1'b0;
      wv_addr_d = w_outptr_q;
      wv_ncol_d = w_ncol_q;
      if (w_t_q != n_tiles_i - 32'd1) begin
        w_t_d      = w_t_q + 32'd1;
        w_accptr_d = w_accptr_q + m_i;
        w_outptr_d = w_outptr_q + (fp32_i ? 32'd2 : 32'd1);
        w_ncol_d   = w_ncol_q + 32'(Cols);
      end else begin
        w_t_d      = 32'd0;
        w_ncol_d   = 32'd0;
        w_m_d      = w_m_q + 32'd1;
        w_accrow_d = w_accrow_q + 32'd1;
        w_accptr_d = w_accrow_q + 32'd1;
        w_outrow_d = w_outrow_q + out_stride_i;
        w_outptr_d = w_outrow_q + out_stride_i;
        if (w_m_q == m_i - 32'd1) w_run_d = 1'b0;
      end
    end
  end

  assign rd_req_o  = w_fire;
  assign rd_addr_o = AccAW'(w_accptr_q);
  assign busy_o    = w_run_q || wv_q;
  assign stall_o   = o_req_o && !o_gnt_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {w_run_q, w_m_q, w_t_q, w_accrow_q, w_accptr_q} <= '0;
      {w_outrow_q, w_outptr_q, w_ncol_q} <= '0;
      {wv_q, wv_half_q, wv_addr_q, wv_ncol_q} <= '0;
    end else if (abort_i) begin
      w_run_q <= 1'b0;
      wv_q    <= 1'b0;
    end else if (start_i) begin
      w_run_q <= 1'b1;
      {w_m_q, w_t_q, w_ncol_q} <= '0;
      w_accrow_q <= cfg_acc_addr_i;
      w_accptr_q <= cfg_acc_addr_i;
      w_outrow_q <= cfg_out_addr_i;
      w_outptr_q <= cfg_out_addr_i;
      wv_q       <= 1'b0;
    end else begin
      {w_run_q, w_m_q, w_t_q, w_accrow_q, w_accptr_q} <= {w_run_d, w_m_d, w_t_d, w_accrow_d, w_accptr_d};
      {w_outrow_q, w_outptr_q, w_ncol_q} <= {w_outrow_d, w_outptr_d, w_ncol_d};
      {wv_q, wv_half_q, wv_addr_q, wv_ncol_q} <= {wv_d, wv_half_d, wv_addr_d, wv_ncol_d};
    end
  end
endmodule
