// Address generator of one vector-unit read port: walks the beats of an
// operation (row r, beat b; one beat = 8 elements) in order and gives the
// scratchpad word each beat needs. Each port walks on its own, advanced by
// its grants, so a refused port never blocks the others (no deadlock when
// operands share a bank). Modes: 0 a row per row (ADDR + r*STRIDE), 1 one
// row for all rows, 2 one FP32 per row (word ADDR + r/8). Half_i: BF16
// elements, two beats read the same word.
module kiln_vu_agen #(
  parameter int unsigned AW = 14
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          clear_i,   // abort
  input  logic          load_i,    // start: latch the walk below
  input  logic          en_i,      // the op reads this port
  input  logic [1:0]    mode_i,
  input  logic          half_i,
  input  logic [31:0]   base_i,
  input  logic [31:0]   stride_i,
  input  logic [31:0]   rows_i,
  input  logic [31:0]   beats_i,   // beats per row, >= 1
  input  logic          fire_i,    // the request was granted
  output logic          valid_o,   // a beat is left to fetch
  output logic [AW-1:0] addr_o
);
  logic        active_q, half_q;
  logic [1:0]  mode_q;
  logic [31:0] base_q, stride_q, rows_q, beats_q, r_q, b_q, rowbase_q, word;
  // Word addresses wrap modulo the AW-bit scratchpad address space, so the
  // upper bits of the 32-bit sum are dropped on purpose.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] addr;
  /* verilator lint_on UNUSEDSIGNAL */

  always_comb begin
    word = half_q ? {1'b0, b_q[31:1]} : b_q;
    unique case (mode_q)
      2'd1:    addr = base_q + word;
      2'd2:    addr = base_q + {3'b000, r_q[31:3]};
      default: addr = rowbase_q + word;
    endcase
  end
  assign valid_o = active_q;
  assign addr_o  = addr[AW-1:0];

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      active_q <= 1'b0;
      {half_q, mode_q} <= '0;
      {base_q, stride_q, rows_q, beats_q, r_q, b_q, rowbase_q} <= '0;
    end else if (load_i) begin
      active_q  <= en_i;
      mode_q    <= mode_i;
      half_q    <= half_i;
      base_q    <= base_i;
      stride_q  <= stride_i;
      rows_q    <= rows_i;
      beats_q   <= beats_i;
      r_q       <= '0;
      b_q       <= '0;
      rowbase_q <= base_i;
    end else if (active_q && fire_i) begin
      if (b_q == beats_q - 32'd1) begin
        b_q       <= '0;
        r_q       <= r_q + 32'd1;
        rowbase_q <= rowbase_q + stride_q;
        if (r_q == rows_q - 32'd1) active_q <= 1'b0;
      end else begin
        b_q <= b_q + 32'd1;
      end
    end
  end
endmodule
