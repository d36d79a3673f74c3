;;; eglot_edits.el --- a second real client: Emacs's eglot applies the server's edits  -*- lexical-binding: t; -*-

;; Run by tests/test_server_emacs.py as
;;   emacs --batch -l tests/lsp_fixtures/eglot_edits.el
;; with BARRIER_LINT_FILE (the pipeline to open), BARRIER_LINT_PYTHON (a Python with barrier_lint_server)
;; and BARRIER_LINT_OUT (where to write what happened, as JSON).
;; It tests the server's behaviour through eglot 1.9 (UTF-16 positions, character-indexed buffers): the
;; position of a diagnostic after a non-ASCII prefix, a quick fix and a rename applied by eglot itself.
;; (editors/emacs/test/check.el tests the user-facing Emacs configuration; this does not repeat it.)

(require 'eglot)
(require 'flymake)
(require 'json)

(defun edits--fail (fmt &rest args)
  (message "FAIL: %s" (apply #'format fmt args))
  (kill-emacs 1))

(defun edits--wait (what predicate seconds)
  ;; Batch mode has no idle timers: run flymake and send changes ourselves while waiting.
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (when (bound-and-true-p flymake-mode) (flymake-start)))
    (unless (funcall predicate) (edits--fail "timed out waiting for %s" what))))

(defun edits--diagnostics ()
  "Each flymake diagnostic as (line offset message), offset in characters from the line start."
  (sort (mapcar (lambda (d)
                  (let ((beg (flymake-diagnostic-beg d)))
                    (list (line-number-at-pos beg)
                          (save-excursion (goto-char beg) (- beg (line-beginning-position)))
                          (flymake-diagnostic-text d))))
                (flymake-diagnostics))
        (lambda (a b) (< (car a) (car b)))))

(defun edits--goto (line text)
  "Put point at the start of TEXT on 1-based LINE."
  (goto-char (point-min))
  (forward-line (1- line))
  (unless (search-forward text (line-end-position) t)
    (edits--fail "line %d has no %s" line text))
  (goto-char (match-beginning 0)))

(let* ((file (or (getenv "BARRIER_LINT_FILE") (edits--fail "BARRIER_LINT_FILE not set")))
       (python (or (getenv "BARRIER_LINT_PYTHON") "python3"))
       (out (or (getenv "BARRIER_LINT_OUT") (edits--fail "BARRIER_LINT_OUT not set")))
       (eglot-sync-connect t)
       result)
  (find-file file)
  (eglot (list major-mode) (cons 'transient default-directory) 'eglot-lsp-server
         (list python "-m" "barrier_lint_server" "--debounce-ms" "0") "yaml")
  (edits--wait "eglot to connect" (lambda () (bound-and-true-p eglot--managed-mode)) 60)
  (edits--wait "three diagnostics" (lambda () (= (length (flymake-diagnostics)) 3)) 60)
  (push (cons 'opened (vconcat (mapcar #'vconcat (edits--diagnostics)))) result)

  ;; The quick fix for the misspelt reference on the line with `é' and an emoji.
  (edits--goto 26 "services_deployd")
  (let* ((server (eglot-current-server))
         (range (list :start (eglot--pos-to-lsp-position (point))
                      :end (eglot--pos-to-lsp-position (+ (point) 16))))
         (actions (jsonrpc-request server :textDocument/codeAction
                                   (list :textDocument (eglot--TextDocumentIdentifier)
                                         :range range
                                         :context (list :diagnostics []))))
         (fix (seq-find (lambda (a) (equal (plist-get a :title) "Change to 'services_deployed'")) actions)))
    (push (cons 'actions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions))) result)
    (unless fix (edits--fail "no 'Change to' action among %S" actions))
    (eglot--apply-workspace-edit (plist-get fix :edit)))
  (eglot--signal-textDocument/didChange)
  (edits--wait "the BL101 diagnostic to clear" (lambda () (= (length (flymake-diagnostics)) 1)) 30)
  (push (cons 'fixed (vconcat (mapcar #'vconcat (edits--diagnostics)))) result)

  ;; Rename from the reference on the non-ASCII line: declaration and both references change.
  (edits--goto 26 "services_deployed")
  (forward-char 3)
  (eglot-rename "all_up")
  (eglot--signal-textDocument/didChange)
  (push (cons 'text (buffer-substring-no-properties (point-min) (point-max))) result)

  (with-temp-file out (insert (json-encode result)))
  (set-buffer-modified-p nil)
  (eglot-shutdown (eglot-current-server))
  (kill-emacs 0))
;;; eglot_edits.el ends here
