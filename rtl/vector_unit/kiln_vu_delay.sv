// Delay line of Depth_p registers advancing on en_i: carries values that a
// later stage of the lane needs past a fixed-latency unit.
module kiln_vu_delay #(
  parameter int unsigned Width_p = 32,
  parameter int unsigned Depth_p = 1
) (
  input  logic               clk_i,
  input  logic               en_i,
  input  logic [Width_p-1:0] d_i,
  output logic [Width_p-1:0] q_o
);
  logic [Width_p-1:0] r_q [Depth_p];
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      r_q[0] <= d_i;
      for (int i = 1; i < int'(Depth_p); i++) r_q[i] <= r_q[i-1];
    end
  end
  assign q_o = r_q[Depth_p-1];
endmodule
