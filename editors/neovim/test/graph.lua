-- Run by tests/test_editor_graph_commands.py: headless Neovim with barrier-lint-graph.lua loaded and a
-- pipeline open. Fixes the misspelt barrierRef in the buffer (unsaved), draws it as Mermaid (opened in a
-- split) and as SVG (handed to a viewer that copies it), and writes what it saw as JSON.
local out = os.getenv('BARRIER_LINT_CHECK_OUT')
local viewed = os.getenv('BARRIER_LINT_VIEWED')
local ok, err = pcall(function()
  vim.cmd([[%s/services_deployd/services_deployed/]])
  vim.cmd('BarrierLintGraph mermaid')
  local mermaid = { file = vim.g.barrier_lint_graph_file, buffer = vim.api.nvim_buf_get_name(0),
    first = vim.api.nvim_buf_get_lines(0, 0, 1, false)[1], text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'),
    windows = #vim.api.nvim_tabpage_list_wins(0) }
  vim.cmd('wincmd p')
  vim.g.barrier_lint_graph_viewer = { 'sh', '-c', 'cp "$1" "$BARRIER_LINT_VIEWED"', 'sh' }
  vim.cmd('BarrierLintGraph')
  local svg = { file = vim.g.barrier_lint_graph_file }
  svg.copied = vim.wait(10000, function() return vim.loop.fs_stat(viewed) ~= nil end, 50)
  local handle = assert(io.open(out, 'w'))
  handle:write(vim.fn.json_encode({ mermaid = mermaid, svg = svg, modified = vim.bo.modified }))
  handle:close()
end)
if not ok then
  io.stderr:write(tostring(err) .. '\n')
  vim.cmd('cquit! 1')
end
vim.cmd('qall!')
