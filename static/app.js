/* Passerelle — progressive enhancements only. Everything works without this file.
 * Loaded with `defer` (CSP: script-src 'self'; no inline script anywhere).
 *
 * <select data-autosubmit>: submit the enclosing form on change and hide the
 * form's [data-autosubmit-button] (used by the language switcher).
 *
 * .glossary-term (a button opening its note as a popover, with or without this file): reaching it with
 * the keyboard opens the note too, and leaving it (unless into the note) closes it.
 */
(function () {
  "use strict";

  function enhance(root) {
    var selects = root.querySelectorAll("select[data-autosubmit]");
    for (var i = 0; i < selects.length; i++) {
      var select = selects[i];
      var form = select.form;
      if (!form || select.hasAttribute("data-autosubmit-ready")) continue;
      select.setAttribute("data-autosubmit-ready", "");
      var button = form.querySelector("[data-autosubmit-button]");
      if (button) button.hidden = true;
      select.addEventListener("change", function (event) {
        var f = event.target.form;
        if (f.requestSubmit) f.requestSubmit(); else f.submit();
      });
    }
  }

  function noteOf(button) {
    var id = button.getAttribute("popovertarget");
    return id ? document.getElementById(id) : null;
  }

  document.addEventListener("focusin", function (event) {
    var button = event.target;
    if (!button.classList || !button.classList.contains("glossary-term")) return;
    var note = noteOf(button);
    if (!note || !note.showPopover || !button.matches(":focus-visible")) return;
    if (!note.matches(":popover-open")) note.showPopover();
  });
  document.addEventListener("focusout", function (event) {
    var left = event.target;
    if (!left.closest) return;
    var note = left.classList.contains("glossary-term") ? noteOf(left) : left.closest(".glossary-note");
    if (!note || !note.hidePopover || !note.matches(":popover-open")) return;
    var next = event.relatedTarget;
    if (next && (note.contains(next) || noteOf(next) === note)) return;
    note.hidePopover();
  });

  enhance(document);
  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) enhance(event.target);
  });
})();
