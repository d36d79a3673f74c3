-- :BarrierLintGraph [svg|mermaid|dot|json]: writes the current buffer's barrier synchronization graph
-- (docs/graph.md) to a file and opens it. Add to init.lua beside barrier-lint.lua (any Neovim 0.7+).
-- Needs `barrier-lint` on PATH; svg also needs Graphviz's `dot`. The buffer is drawn as it is, unsaved
-- edits included, with the configuration found for its file name.
-- Default format: svg when `dot` is installed, opened with the system's viewer (vim.ui.open on 0.10+,
-- else xdg-open / open; set vim.g.barrier_lint_graph_viewer = { 'firefox' } to choose); otherwise
-- mermaid, opened in a split (paste it into any Mermaid viewer, or a ```mermaid block on GitHub).
local extensions = { svg = 'svg', mermaid = 'mmd', dot = 'dot', json = 'json' }

local function view(path)
  local viewer = vim.g.barrier_lint_graph_viewer
  if viewer then
    vim.fn.jobstart(vim.list_extend(vim.deepcopy(viewer), { path }), { detach = true })
  elseif vim.ui and vim.ui.open then
    vim.ui.open(path)
  else
    vim.fn.jobstart({ vim.fn.has('mac') == 1 and 'open' or 'xdg-open', path }, { detach = true })
  end
end

local function fail(what, output)
  vim.notify('barrier-lint graph: ' .. what .. ': ' .. vim.trim(output), vim.log.levels.ERROR)
end

vim.api.nvim_create_user_command('BarrierLintGraph', function(opts)
  local format = opts.args ~= '' and opts.args or (vim.fn.executable('dot') == 1 and 'svg' or 'mermaid')
  if not extensions[format] then
    return fail('unknown format', format .. ' (svg, mermaid, dot or json)')
  end
  local name = vim.api.nvim_buf_get_name(0)
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n') .. '\n'
  local base = vim.fn.tempname() .. '-barrier-graph'
  local out = base .. '.' .. extensions[format]
  local drawn = format == 'svg' and base .. '.dot' or out
  local output = vim.fn.system({ 'barrier-lint', 'graph', '-', '--stdin-filename', name ~= '' and name or 'buffer.yaml',
    '--format', format == 'svg' and 'dot' or format, '--output-file', drawn }, text)
  if vim.v.shell_error ~= 0 then
    return fail('failed', output)
  end
  if format == 'svg' then
    output = vim.fn.system({ 'dot', '-Tsvg', drawn, '-o', out })
    if vim.v.shell_error ~= 0 then
      return fail('dot failed', output)
    end
    view(out)
  else
    vim.cmd('vsplit ' .. vim.fn.fnameescape(out))
  end
  vim.g.barrier_lint_graph_file = out
  vim.notify('barrier-lint graph: ' .. out)
end, {
  nargs = '?',
  complete = function() return { 'svg', 'mermaid', 'dot', 'json' } end,
  desc = "Write the buffer's barrier synchronization graph to a file and open it",
})
