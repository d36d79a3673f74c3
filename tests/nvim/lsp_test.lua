-- Drive barrier-lint-server from a real Neovim (0.7: vim.lsp.start_client + buf_attach_client).
-- Run: nvim --headless --clean -c "luafile tests/nvim/lsp_test.lua" release.yaml
-- Environment: BARRIER_LINT_PYTHON (the Python that has barrier_lint_server installed),
-- BARRIER_LINT_NVIM_WAIT_MS (how long to wait for diagnostics, default 60000).
-- Exits 0 when every check passes; otherwise prints what failed on stderr and exits 1.

local function fail(message)
  io.stderr:write("FAIL: " .. message .. "\n")
  vim.cmd("cquit! 1")
end

local function check(condition, message)
  if not condition then
    fail(message)
  end
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(found, string.format("%s@%d:%d", code_of(d), d.lnum, d.col))
  end
  table.sort(found)
  return table.concat(found, " ")
end

local WAIT_MS = tonumber(os.getenv("BARRIER_LINT_NVIM_WAIT_MS") or "60000")

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local python = os.getenv("BARRIER_LINT_PYTHON") or "python3"
  local client_id = vim.lsp.start_client({
    name = "barrier-lint",
    cmd = { python, "-m", "barrier_lint_server" },
    root_dir = vim.fn.getcwd(),
  })
  check(client_id ~= nil, "the server did not start")
  vim.lsp.buf_attach_client(bufnr, client_id)

  -- 1. The pipeline's mistakes, at the right byte columns. Line 26 holds `é` and an emoji before the
  --    misspelt barrierRef: Neovim 0.7 talks UTF-16 and turns it into a byte column (179, not 175 or 176).
  local ok = vim.wait(WAIT_MS, function() return #vim.diagnostic.get(bufnr) >= 3 end, 50)
  check(ok, "fewer than 3 diagnostics within " .. WAIT_MS .. " ms: '" .. codes(bufnr) .. "'")
  local want = "BL101@25:179 BL105@8:20 BL202@23:36"
  check(codes(bufnr) == want, "diagnostics: got '" .. codes(bufnr) .. "', want '" .. want .. "'")
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(d) == "BL101" then
      check(d.end_col == 195, "BL101 end column " .. tostring(d.end_col))
      check(d.source == "barrier-lint", "source " .. tostring(d.source))
      check(d.message:find("did you mean 'services_deployed'", 1, true) ~= nil, "message " .. d.message)
    end
  end

  -- 2. Completion on a barrierRef value (line 24: `barrierRef: services_deployed`, cursor after `serv`).
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 23, character = 40 },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, 30000)
  check(responses ~= nil, "no completion response")
  local labels = {}
  for _, response in pairs(responses) do
    check(response.error == nil, "completion error " .. vim.inspect(response.error))
    local items = response.result.items or response.result
    for _, item in ipairs(items) do
      table.insert(labels, item.label)
      if item.label == "services_deployed" then
        local range = item.textEdit.range
        check(range.start.character == 36 and range["end"].character == 53, "completion range " .. vim.inspect(range))
      end
    end
  end
  check(table.concat(labels, ",") == "services_deployed,old_gate", "completion labels " .. table.concat(labels, ","))

  -- 3. Fix the typo in the buffer (an incremental didChange): BL101 goes away, and BL202 with it
  --    (services_deployed now has two participants).
  local line = vim.api.nvim_buf_get_lines(bufnr, 25, 26, true)[1]
  local start = line:find("services_deployd", 1, true)
  check(start ~= nil, "typo not found on line 26")
  local at = start - 1 + #"services_deploy"
  vim.api.nvim_buf_set_text(bufnr, 25, at, 25, at, { "e" })
  ok = vim.wait(WAIT_MS, function() return codes(bufnr) == "BL105@8:20" end, 50)
  check(ok, "after the edit: got '" .. codes(bufnr) .. "', want 'BL105@8:20'")

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  io.stderr:write("OK\n")
  vim.cmd("qall!")
end

local success, err = pcall(run)
if not success then
  fail(tostring(err))
end
