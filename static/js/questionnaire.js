// Questionnaires, enhanced. Without this script the whole form is one page and the
// server shows a summary before the final submit. With it:
// - a question asked only after a "yes" (C-SSRS 3-5 after question 2) is hidden until then;
// - on a narrow screen, one question at a time with progress ("Question 3 of 9") and
//   Back / Next (Enter on an answer is Next); focus moves to the new question's legend.
//   Every answer stays in the one form, so going back loses nothing, and the last Next
//   is the server's "Check my answers".
(function () {
  "use strict";
  var form = document.querySelector("form[data-questionnaire]");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var progress = form.querySelector(".questionnaire-progress");
  var nav = form.querySelector(".questionnaire-nav");
  var back = form.querySelector("[data-back]");
  var next = form.querySelector("[data-next]");
  var check = form.querySelector("[data-check]");
  var narrow = window.matchMedia("(max-width: 575.98px)");
  var current = null;

  function answer(number) {
    var checked = form.querySelector("input[name='item_" + number + "']:checked");
    return checked ? checked.value : null;
  }

  function isAsked(question) {
    var gate = question.getAttribute("data-asked-after-yes-to");
    return !gate || answer(gate) === "1";
  }

  // The questions still ahead count until their gate is answered: "1 of 6" on the
  // C-SSRS, "3 of 3" once question 2 is a no.
  function mayBeAsked(question) {
    var gate = question.getAttribute("data-asked-after-yes-to");
    return !gate || answer(gate) !== "0";
  }

  function asked() { return questions.filter(mayBeAsked); }

  function allAnswered() {
    return asked().every(function (question) {
      return answer(question.getAttribute("data-question")) !== null;
    });
  }

  function focusLegend(question) {
    var legend = question.querySelector("legend");
    if (legend) { legend.focus(); }
  }

  function showProgress() {
    var list = asked();
    progress.textContent = form.getAttribute("data-progress")
      .replace("{number}", String(list.indexOf(current) + 1))
      .replace("{total}", String(list.length));
  }

  function render() {
    var oneAtATime = narrow.matches;
    var list = asked();
    if (oneAtATime && list.indexOf(current) < 0) { current = list[0]; }
    questions.forEach(function (question) {
      var shown = oneAtATime ? question === current : isAsked(question);
      question.hidden = !shown;
    });
    progress.hidden = !oneAtATime;
    nav.hidden = !oneAtATime;
    if (!oneAtATime) {
      check.hidden = false;
      return;
    }
    var last = list.indexOf(current) === list.length - 1;
    back.hidden = list.indexOf(current) === 0;
    next.hidden = last;
    // Back from a change on the summary, the partner may go straight back to it.
    check.hidden = !(last || allAnswered());
    showProgress();
  }

  function showMissing(question) {
    var error = question.querySelector(".questionnaire-error");
    error.textContent = form.getAttribute("data-required");
    question.querySelector("fieldset").setAttribute("aria-describedby", error.id);
    focusLegend(question);
  }

  function move(step) {
    var list = asked();
    var number = current.getAttribute("data-question");
    if (step > 0 && answer(number) === null) {
      showMissing(current);
      return;
    }
    var target = list[list.indexOf(current) + step];
    if (!target) { return; }
    current = target;
    render();
    focusLegend(current);
  }

  function startingQuestion() {
    var withError = form.querySelector("[data-has-error]");
    if (withError) { return withError; }
    // A "Change" on the summary links to the question's legend (#question-3-legend),
    // which the browser focuses itself on arrival.
    var linked = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var linkedQuestion = linked && linked.closest("[data-question]");
    return linkedQuestion || questions[0];
  }

  back.addEventListener("click", function () { move(-1); });
  next.addEventListener("click", function () { move(1); });
  form.addEventListener("change", function (event) {
    var question = event.target.closest("[data-question]");
    if (question) { question.querySelector(".questionnaire-error").textContent = ""; }
    render();
  });
  // Enter on an answer would submit the whole form as "Check my answers" with the later
  // questions still unanswered: one at a time, it means Next (or Check, on the last).
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.type !== "radio" || !narrow.matches) { return; }
    event.preventDefault();
    if (next.hidden) { check.click(); } else { move(1); }
  });
  narrow.addEventListener("change", render);

  current = startingQuestion();
  render();
  if (form.querySelector("[data-has-error]") || window.location.hash) { focusLegend(current); }
}());
