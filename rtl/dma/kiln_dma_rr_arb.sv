// Round-robin arbiter: the requester after the last one served has the
// highest priority, so every requester is served within N grants.
module kiln_dma_rr_arb #(
  parameter int unsigned N = 2   // at most 16 (the index is an AXI ID)
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [N-1:0] req_i,
  input  logic         take_i,   // the offered grant is used this cycle
  output logic         valid_o,
  output logic [3:0]   idx_o
);
  logic [3:0] last_q;

  // First the requesters after last_q, then wrap around to the lowest.
  always_comb begin
    valid_o = 1'b0;
    idx_o   = '0;
    for (int unsigned j = 0; j < N; j++) begin
      if (!valid_o && req_i[j] && (4'(j) > last_q)) begin
        valid_o = 1'b1;
        idx_o   = 4'(j);
      end
    end
    for (int unsigned j = 0; j < N; j++) begin
      if (!valid_o && req_i[j]) begin
        valid_o = 1'b1;
        idx_o   = 4'(j);
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      last_q <= 4'(N - 1);   // channel 0 first after reset
    end else if (take_i && valid_o) begin
      last_q <= idx_o;
    end
  end
endmodule
