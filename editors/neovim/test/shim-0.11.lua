-- For the tests on Neovim 0.7 (Debian 12's): just enough of 0.11's vim.lsp.config / vim.lsp.enable,
-- built on vim.lsp.start_client, to run barrier-lint.lua unchanged. On 0.11+ it does nothing.
if vim.lsp.config ~= nil then
  return
end
local configs = {}
vim.lsp.config = function(name, cfg)
  configs[name] = vim.tbl_deep_extend('force', configs[name] or {}, cfg)
end
vim.lsp.enable = function(name)
  local cfg = configs[name]
  assert(cfg, 'vim.lsp.enable: no vim.lsp.config for ' .. name)
  local id
  vim.api.nvim_create_autocmd('FileType', {
    pattern = cfg.filetypes,
    callback = function(args)
      if not id then
        local root = vim.fn.getcwd()
        id = vim.lsp.start_client({
          name = name,
          cmd = cfg.cmd,
          root_dir = root,
          settings = cfg.settings,
          init_options = cfg.init_options,
        })
      end
      vim.lsp.buf_attach_client(args.buf, id)
    end,
  })
end
