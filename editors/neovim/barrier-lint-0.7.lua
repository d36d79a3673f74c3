-- barrier-lint language server for Neovim 0.7 to 0.10, without plugins (vim.lsp.start_client).
-- Paste into init.lua (or `luafile` it from init.vim). Needs `barrier-lint-server` on PATH
-- (`pip install .` in a barrier-lint checkout). On 0.11+ use barrier-lint.lua instead.
-- The server only reports on Harness documents (pipeline:/template:), so attaching it to every YAML
-- buffer is safe; it runs beside yamlls or any other YAML server.
local config = {
  name = 'barrier_lint',
  cmd = { 'barrier-lint-server' },
  on_attach = function(_, bufnr)
    -- <C-x><C-o> completes barrierRef values (0.11+ sets this by itself).
    vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
  end,
  -- Optional: settings on top of the project's [tool.barrier-lint] table, pulled by the server as
  -- workspace/configuration section "barrierLint". Leave out what you do not set (an empty {}
  -- would be sent as a JSON list).
  -- settings = {
  --   barrierLint = {
  --     ignore = { 'BL105' },
  --     severity = { ['conditional-participant'] = 'off' },
  --   },
  -- },
}

-- The project root: the nearest folder above the file holding one of these, else the working directory.
local root_markers = { '.barrier-lint.toml', 'pyproject.toml', '.git' }
local function root_dir(bufnr)
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h')
  while dir ~= '' do
    for _, marker in ipairs(root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.getcwd()
end

local clients = {} -- root folder -> client id: one server per project
vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('barrier_lint', { clear = true }),
  pattern = 'yaml',
  callback = function(args)
    local root = root_dir(args.buf)
    local id = clients[root]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client(vim.tbl_extend('force', config, {
        root_dir = root,
        workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      }))
      clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
