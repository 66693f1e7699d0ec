// Rows x Cols weight-stationary systolic array with input skew and output
// de-skew (rtl/tensor_core/README.md, "Array timing").
// A row injected at cycle X (lane r of a_data_i = activation of array row r)
// reaches PE(r,c) at X+r+c; column c's bottom sum is ready at X+Rows+1+c and
// is delayed by Cols-1-c cycles, so out_o carries the whole row at
// X+Rows+Cols. The array never stalls: a cycle without a row is a bubble and
// the controller tracks which cycles carry rows.
// Weights are written one array row per cycle (lane c -> column c) or, for
// a transposed B operand, one array column per cycle (lane r -> row r).
module kiln_tc_array #(
  parameter int unsigned Rows = 16,
  parameter int unsigned Cols = 16,
  localparam int unsigned Lanes = (Rows > Cols) ? Rows : Cols,
  localparam int unsigned IdxW  = (Lanes > 1) ? $clog2(Lanes) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 int8_i,
  // weight load: one array row (w_col_i = 0) or column (w_col_i = 1) per
  // cycle into one buffer; w_idx_i is the row or column index
  input  logic                 w_we_i,
  input  logic                 w_col_i,
  input  logic [IdxW-1:0]      w_idx_i,
  input  logic                 w_buf_i,
  input  logic [Lanes*16-1:0]  w_data_i,
  // activation injection, unskewed; a_buf_i selects the weight buffer
  input  logic [Rows*16-1:0]   a_data_i,
  input  logic                 a_buf_i,
  // de-skewed results, Rows+Cols cycles after injection
  output logic [Cols*32-1:0]   out_o
);
  // Horizontal activation links (column Cols is the unused right edge) and
  // vertical partial-sum links (row 0 is the +0 top input).
  logic [15:0] a_link   [Rows][Cols+1];
  logic        buf_link [Rows][Cols+1];
  logic [31:0] ps_link  [Rows+1][Cols];

  for (genvar r = 0; r < Rows; r++) begin : g_row
    // Input skew: array row r sees the injected lane r cycles later.
    if (r == 0) begin : g_noskew
      assign a_link[0][0]   = a_data_i[15:0];
      assign buf_link[0][0] = a_buf_i;
    end else begin : g_skew
      logic [16:0] skew_q [r];
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          for (int i = 0; i < r; i++) skew_q[i] <= 17'd0;
        end else begin
          skew_q[0] <= {a_buf_i, a_data_i[16*r +: 16]};
          for (int i = 1; i < r; i++) skew_q[i] <= skew_q[i-1];
        end
      end
      assign a_link[r][0]   = skew_q[r-1][15:0];
      assign buf_link[r][0] = skew_q[r-1][16];
    end

    for (genvar c = 0; c < Cols; c++) begin : g_col
      kiln_tc_pe u_pe (
        .clk_i,
        .rst_ni,
        .int8_i,
        .w_we_i   (w_we_i && (w_idx_i == (w_col_i ? IdxW'(c) : IdxW'(r)))),
        .w_buf_i,
        .w_data_i (w_col_i ? w_data_i[16*r +: 16] : w_data_i[16*c +: 16]),
        .a_data_i (a_link[r][c]),
        .a_buf_i  (buf_link[r][c]),
        .a_data_o (a_link[r][c+1]),
        .a_buf_o  (buf_link[r][c+1]),
        .psum_i   (ps_link[r][c]),
        .psum_o   (ps_link[r+1][c])
      );
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_out
    assign ps_link[0][c] = 32'd0;  // +0 enters the top of every column
    if (c == Cols - 1) begin : g_nodeskew
      assign out_o[32*c +: 32] = ps_link[Rows][c];
    end else begin : g_deskew
      localparam int unsigned D = Cols - 1 - c;
      logic [31:0] dq_q [D];
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          for (int i = 0; i < int'(D); i++) dq_q[i] <= 32'd0;
        end else begin
          dq_q[0] <= ps_link[Rows][c];
          for (int i = 1; i < int'(D); i++) dq_q[i] <= dq_q[i-1];
        end
      end
      assign out_o[32*c +: 32] = dq_q[D-1];
    end
  end

  // The right edge of every row is not consumed: waive it in one place.
  logic unused_right;
  always_comb begin
    unused_right = 1'b0;
    for (int r = 0; r < int'(Rows); r++) unused_right = unused_right ^ (^a_link[r][Cols]) ^ buf_link[r][Cols];
  end
endmodule
