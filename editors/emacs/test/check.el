;;; check.el --- load after barrier-lint.el: open a pipeline, wait for eglot's diagnostics  -*- lexical-binding: t; -*-

;; Run by tests/test_editor_configs.py as
;;   emacs --batch -l editors/emacs/barrier-lint.el -l editors/emacs/test/check.el
;; with BARRIER_LINT_CHECK_FILE (the YAML to open), BARRIER_LINT_COMPLETE_LINE (1-based line of a
;; `barrierRef:' to complete) and BARRIER_LINT_CHECK_OUT (where to write what Emacs got, as JSON).
;; Batch mode has no command loop, so this runs what it would: `post-command-hook' (where
;; `eglot-ensure' connects) and `flymake-start' (normally on an idle timer).

(require 'json)
(require 'flymake)
;; Batch mode does not activate installed packages, so yaml-mode's autoloads (its auto-mode-alist
;; entry) are not there as they are in an interactive session: load it.
(require 'yaml-mode nil t)

(defun check--fail (fmt &rest args)
  (message "check.el: %s" (apply #'format fmt args))
  (kill-emacs 1))

(defun check--wait (what predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (when (bound-and-true-p flymake-mode) (flymake-start)))
    (unless (funcall predicate) (check--fail "timed out waiting for %s" what))))

(let* ((file (or (getenv "BARRIER_LINT_CHECK_FILE") (check--fail "BARRIER_LINT_CHECK_FILE not set")))
       (out (or (getenv "BARRIER_LINT_CHECK_OUT") (check--fail "BARRIER_LINT_CHECK_OUT not set")))
       (complete-line (string-to-number (or (getenv "BARRIER_LINT_COMPLETE_LINE") "0")))
       (eglot-sync-connect t)
       diagnostics completions)
  (find-file file)
  (unless (memq major-mode '(yaml-mode yaml-ts-mode))
    (check--fail "%s opened in %s, not a YAML mode" file major-mode))
  (run-hooks 'post-command-hook)      ; where eglot-ensure connects
  (check--wait "eglot to connect" (lambda () (bound-and-true-p eglot--managed-mode)) 20)
  (check--wait "diagnostics" (lambda () (flymake-diagnostics)) 20)
  (dolist (d (flymake-diagnostics))
    (let ((beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
      (push `((line . ,(line-number-at-pos beg))
              (column . ,(save-excursion (goto-char beg) (1+ (current-column))))
              (end_line . ,(line-number-at-pos end))
              (end_column . ,(save-excursion (goto-char end) (1+ (current-column))))
              (type . ,(symbol-name (flymake-diagnostic-type d)))
              (text . ,(flymake-diagnostic-text d)))
            diagnostics)))
  ;; Empty the value after `barrierRef: ' and complete there through eglot's completion-at-point.
  (goto-char (point-min))
  (forward-line (1- complete-line))
  (unless (re-search-forward "barrierRef: " (line-end-position) t)
    (check--fail "line %d has no barrierRef:" complete-line))
  (delete-region (point) (line-end-position))
  (eglot--signal-textDocument/didChange)
  (let ((capf (eglot-completion-at-point)))
    (unless capf (check--fail "eglot-completion-at-point returned nothing"))
    (setq completions (all-completions "" (nth 2 capf))))
  (let ((server (eglot-current-server)))
    (with-temp-file out
      (insert (json-encode `((server . ,(process-command (jsonrpc--process server)))
                             (diagnostics . ,(vconcat (nreverse diagnostics)))
                             (completion . ,(vconcat completions))))))
    (set-buffer-modified-p nil)
    (eglot-shutdown server))
  (kill-emacs 0))
;;; check.el ends here
