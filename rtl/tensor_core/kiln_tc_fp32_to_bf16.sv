// FP32 -> BF16, round to nearest even, with the numerics policy: denormal ->
// signed zero, NaN -> 0x7FC0; a carry out of the fraction rounds up to Inf.
module kiln_tc_fp32_to_bf16 (
  input  logic [31:0] a_i,
  output logic [15:0] h_o
);
  logic rnd;
  always_comb begin
    rnd = a_i[15] & ((a_i[14:0] != 15'd0) | a_i[16]);
    if ((a_i[30:23] == 8'hFF) && (a_i[22:0] != 23'd0)) begin
      h_o = 16'h7FC0;
    end else if (a_i[30:23] == 8'h00) begin
      h_o = {a_i[31], 15'd0};
    end else begin
      h_o = a_i[31:16] + {15'd0, rnd};
    end
  end
endmodule
