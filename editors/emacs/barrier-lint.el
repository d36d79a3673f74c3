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

(provide 'barrier-lint)
;;; barrier-lint.el ends here
