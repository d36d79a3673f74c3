;;; barrier-lint.el --- barrier-lint language server through eglot  -*- lexical-binding: t; -*-

;; Add to your init file (or `load' this file).  Needs `barrier-lint-server' on PATH
;; (`pip install .' in a barrier-lint checkout), eglot (built into Emacs 29; `M-x package-install RET eglot' or
;; Debian's elpa-eglot on Emacs 28) and a YAML major mode: yaml-mode (package yaml-mode) or
;; Emacs 29's yaml-ts-mode.
;;
;; The server only reports on Harness documents (pipeline:/template:), so it is safe on every
;; YAML buffer.  eglot runs one server per buffer: this replaces yaml-language-server for YAML
;; if you had that configured.

(require 'eglot)

(add-to-list 'eglot-server-programs
             '((yaml-mode yaml-ts-mode) . ("barrier-lint-server")))

(add-hook 'yaml-mode-hook #'eglot-ensure)
(add-hook 'yaml-ts-mode-hook #'eglot-ensure)

;; Optional: settings on top of the project's [tool.barrier-lint] table, pulled by the server as
;; workspace/configuration section "barrierLint" (per project in .dir-locals.el works too):
;; (setq-default eglot-workspace-configuration
;;               '(:barrierLint (:ignore ["BL105"] :severity (:conditional-participant "off"))))

;; M-x barrier-lint-graph: the current buffer's barrier synchronization graph (docs/graph.md) written to
;; a file and opened in another window.  Needs `barrier-lint' on PATH; SVG also needs Graphviz's `dot'.
;; The buffer is drawn as it is, unsaved edits included.  With a prefix argument it asks for the format.

(defcustom barrier-lint-graph-format nil
  "Format of `barrier-lint-graph': \"svg\", \"mermaid\", \"dot\" or \"json\".
nil: svg when `dot' is installed and this Emacs shows images, else mermaid."
  :type '(choice (const nil) string) :group 'tools)

(defun barrier-lint-graph (&optional format)
  "Write the current buffer's barrier synchronization graph to a file in FORMAT and open it.
Return the file's name."
  (interactive
   (list (when current-prefix-arg
           (completing-read "Format: " '("svg" "mermaid" "dot" "json") nil t))))
  (let* ((format (or format barrier-lint-graph-format
                     (if (and (executable-find "dot") (display-images-p)) "svg" "mermaid")))
         (extension (cdr (assoc format '(("svg" . "svg") ("mermaid" . "mmd") ("dot" . "dot") ("json" . "json")))))
         (base (make-temp-name (expand-file-name "barrier-graph-" temporary-file-directory)))
         (out (concat base "." (or extension (user-error "Unknown graph format %s" format))))
         (drawn (if (equal format "svg") (concat base ".dot") out))
         (errors (generate-new-buffer " *barrier-lint graph*")))
    (unwind-protect
        (progn
          (unless (eq 0 (call-process-region
                         (point-min) (point-max) "barrier-lint" nil errors nil
                         "graph" "-" "--stdin-filename" (or buffer-file-name (buffer-name))
                         "--format" (if (equal format "svg") "dot" format) "--output-file" drawn))
            (error "barrier-lint graph failed: %s" (with-current-buffer errors (buffer-string))))
          (when (equal format "svg")
            (unless (eq 0 (call-process "dot" nil errors nil "-Tsvg" drawn "-o" out))
              (error "dot failed: %s" (with-current-buffer errors (buffer-string)))))
          (find-file-other-window out)
          (message "barrier-lint graph: %s" out)
          out)
      (kill-buffer errors))))

(provide 'barrier-lint)
;;; barrier-lint.el ends here
