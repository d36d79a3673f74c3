-- barrier-lint language server for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
-- Paste into init.lua. (Or put `return { ... }` with the table below in lsp/barrier_lint.lua on your
-- runtimepath and keep only the vim.lsp.enable line.) Needs `barrier-lint-server` on PATH:
-- `pip install .` in a barrier-lint checkout.
-- The server only reports on Harness documents (pipeline:/template:), so attaching it to every YAML
-- buffer is safe; it runs beside yamlls or any other YAML server.
vim.lsp.config('barrier_lint', {
  cmd = { 'barrier-lint-server' },
  filetypes = { 'yaml' },
  -- The project root: where barrier-lint's own configuration lives, else the repository.
  root_markers = { '.barrier-lint.toml', 'pyproject.toml', '.git' },
  -- Optional: settings on top of the project's [tool.barrier-lint] table, pulled by the server as
  -- workspace/configuration section "barrierLint". Leave out what you do not set (an empty {}
  -- would be sent as a JSON list).
  -- settings = {
  --   barrierLint = {
  --     ignore = { 'BL105' },
  --     severity = { ['conditional-participant'] = 'off' },
  --   },
  -- },
})
vim.lsp.enable('barrier_lint')
