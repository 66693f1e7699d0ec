// Accumulator memory: AccRows rows of Cols x 32 bit, modelled as a
// single-port SRAM with a registered (one-cycle) read, plus the two-stage
// read-modify-write pipeline that folds array results into it.
//   stage A (upd_valid_i): read acc[addr]; if stage B writes the same row in
//            this cycle, take its result instead (write-to-read bypass, so
//            back-to-back updates of one row are correct for every M);
//   stage B: acc[addr] <= ovw ? p : acc + p  (FP32 adders or int32 wrap).
// The read port is shared with WRITEBACK (rd_req_i); the controller never
// uses both at once.
module kiln_tc_acc #(
  parameter int unsigned Cols    = 16,
  parameter int unsigned AccRows = 2048,
  localparam int unsigned AccAW  = (AccRows > 1) ? $clog2(AccRows) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 flush_i,     // abort: drop the pending update
  input  logic                 int8_i,
  input  logic                 upd_valid_i,
  input  logic [AccAW-1:0]     upd_addr_i,
  input  logic                 upd_ovw_i,   // overwrite instead of add
  input  logic [Cols*32-1:0]   upd_data_i,
  output logic                 upd_busy_o,  // an update is still in stage B
  input  logic                 rd_req_i,
  input  logic [AccAW-1:0]     rd_addr_i,
  output logic [Cols*32-1:0]   rd_data_o    // valid the cycle after rd_req_i
);
  logic [Cols*32-1:0] mem_q [AccRows];
  logic [Cols*32-1:0] rd_q, p_q, res;
  logic               b_valid_q, b_ovw_q;
  logic [AccAW-1:0]   b_addr_q;
  logic               rd_en;
  logic [AccAW-1:0]   rd_addr;

  for (genvar c = 0; c < Cols; c++) begin : g_lane
    logic [31:0] fsum;
    kiln_tc_fp32_add u_add (.a_i(rd_q[32*c +: 32]), .b_i(p_q[32*c +: 32]), .sum_o(fsum));
    always_comb begin
      if (b_ovw_q) begin
        res[32*c +: 32] = p_q[32*c +: 32];
      end else if (int8_i) begin
        res[32*c +: 32] = rd_q[32*c +: 32] + p_q[32*c +: 32];
      end else begin
        res[32*c +: 32] = fsum;
      end
    end
  end

  always_comb begin
    rd_en   = upd_valid_i || rd_req_i;
    rd_addr = upd_valid_i ? upd_addr_i : rd_addr_i;
  end

  // SRAM array: no reset (its content is undefined until written).
  always_ff @(posedge clk_i) begin
    if (b_valid_q) mem_q[b_addr_q] <= res;
    if (rd_en) rd_q <= (b_valid_q && (b_addr_q == rd_addr)) ? res : mem_q[rd_addr];
    if (upd_valid_i) p_q <= upd_data_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_valid_q <= 1'b0;
      b_ovw_q   <= 1'b0;
      b_addr_q  <= '0;
    end else begin
      b_valid_q <= upd_valid_i && !flush_i;
      if (upd_valid_i) begin
        b_ovw_q  <= upd_ovw_i;
        b_addr_q <= upd_addr_i;
      end
    end
  end

  assign upd_busy_o = b_valid_q;
  assign rd_data_o  = rd_q;
endmodule
