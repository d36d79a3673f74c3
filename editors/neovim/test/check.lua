-- Run after an editors/neovim config has attached barrier-lint to the current (YAML) buffer:
-- waits for its diagnostics, asks for completion on a `barrierRef:` line, and writes what Neovim
-- got as JSON to $BARRIER_LINT_CHECK_OUT for tests/test_editor_configs.py to judge. Exits non-zero
-- when the server never attaches or never reports.
local out = assert(os.getenv('BARRIER_LINT_CHECK_OUT'), 'BARRIER_LINT_CHECK_OUT not set')
local line = tonumber(os.getenv('BARRIER_LINT_COMPLETE_LINE')) -- 0-based line of a `barrierRef:` to complete
local bufnr = vim.api.nvim_get_current_buf()

local function fail(message)
  io.stderr:write('check.lua: ' .. message .. '\n')
  vim.cmd('cquit! 1')
end

local function clients()
  return vim.lsp.buf_get_clients(bufnr)
end

if not vim.wait(15000, function() return next(clients()) ~= nil end, 50) then
  fail('no language server attached to ' .. vim.api.nvim_buf_get_name(bufnr))
end
if not vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
  fail('no diagnostics within 20 s')
end

local result = { clients = {}, diagnostics = {}, completion = {} }
for _, client in pairs(clients()) do
  table.insert(result.clients, client.name)
end
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(result.diagnostics, {
    code = d.code or lsp.code,
    source = d.source,
    message = d.message,
    severity = d.severity,
    lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
  })
end

-- Empty the value after `barrierRef: ` and complete there, as typing would.
local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
local prefix = text:match('^(.-barrierRef: )')
if not prefix then
  fail('line ' .. line .. ' has no barrierRef: ' .. text)
end
vim.api.nvim_buf_set_lines(bufnr, line, line + 1, true, { prefix })
local params = {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  position = { line = line, character = #prefix },
}
local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, 10000) or {}
for _, response in pairs(responses) do
  local items = response.result or {}
  items = items.items or items
  for _, item in ipairs(items) do
    table.insert(result.completion, item.label)
  end
end

local file = assert(io.open(out, 'w'))
file:write(vim.fn.json_encode(result))
file:close()
vim.cmd('qall!')
