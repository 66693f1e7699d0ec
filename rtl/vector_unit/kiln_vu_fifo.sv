// Small FIFO for scratchpad read data: the scratchpad delivers data one
// cycle after a grant whether or not the datapath can take it, so every
// granted read needs a slot (the requester counts them, see
// kiln_vector_unit). Synchronous reset; clear_i empties it (abort, start).
module kiln_vu_fifo #(
  parameter int unsigned Width_p = 256,
  parameter int unsigned Depth_p = 4,
  localparam int unsigned PW = $clog2(Depth_p),
  localparam int unsigned CW = $clog2(Depth_p + 1)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,
  input  logic               push_i,
  input  logic [Width_p-1:0] data_i,
  input  logic               pop_i,
  output logic [Width_p-1:0] data_o,
  output logic [CW-1:0]      count_o
);
  logic [Width_p-1:0] mem_q [Depth_p];
  logic [PW-1:0] rd_q, wr_q;
  logic [CW-1:0] cnt_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      rd_q  <= '0;
      wr_q  <= '0;
      cnt_q <= '0;
    end else begin
      if (push_i) begin
        mem_q[wr_q] <= data_i;
        wr_q <= wr_q + PW'(1);
      end
      if (pop_i) rd_q <= rd_q + PW'(1);
      cnt_q <= cnt_q + CW'(push_i) - CW'(pop_i);
    end
  end
  assign data_o  = mem_q[rd_q];
  assign count_o = cnt_q;
endmodule
