/* Passerelle — progressive enhancements only. Everything works without this file.
 * Loaded with `defer` (CSP: script-src 'self'; no inline script anywhere).
 *
 * <select data-autosubmit>: submit the enclosing form on change and hide the
 * form's [data-autosubmit-button] (used by the language switcher).
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

  enhance(document);
  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) enhance(event.target);
  });
})();
