;;; graph.el --- run by tests/test_editor_graph_commands.py  -*- lexical-binding: t; -*-
;; Batch Emacs with barrier-lint.el loaded: fixes the misspelt barrierRef in the buffer (unsaved), draws
;; it with `barrier-lint-graph' as Mermaid and as SVG, and writes what it saw as JSON.
(require 'json)
(let ((out (getenv "BARRIER_LINT_CHECK_OUT"))
      (result nil))
  (condition-case err
      (progn
        (find-file (getenv "BARRIER_LINT_CHECK_FILE"))
        (goto-char (point-min))
        (while (search-forward "services_deployd" nil t) (replace-match "services_deployed"))
        (let* ((source (current-buffer))
               (mermaid (barrier-lint-graph))
               (mermaid-buffer (buffer-file-name (window-buffer (selected-window)))))
          (set-buffer source)
          (let ((svg (barrier-lint-graph "svg")))
            (setq result `((mermaid . ,mermaid) (mermaid_buffer . ,mermaid-buffer)
                           (svg . ,svg) (modified . ,(if (buffer-modified-p source) t :json-false))))))
        (with-temp-file out (insert (json-encode result)))
        (kill-emacs 0))
    (error (message "graph.el failed: %S" err) (kill-emacs 1))))
