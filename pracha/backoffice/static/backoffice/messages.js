// Progressive enhancement of the SMS template editor: the page works without it (Preview shows the
// length). As the officer types, the length of the SMS is counted as the phone counts it, with the same
// typical values in the placeholders as the preview, and read out politely (aria-live) when it changes.
// Counting rules (the same as pracha/notifications/sms.py): a text only in the GSM 03.38 basic set is
// GSM-7, 160 characters in one message and 153 per part, an extension character counting 2; anything
// else, Thai included, is UCS-2, 70 UTF-16 code units in one message and 67 per part.
(function () {
  "use strict";

  var output = document.getElementById("sms-count");
  if (!output) {
    return;
  }
  var source = document.getElementById(output.getAttribute("data-source"));
  var samplesElement = document.getElementById(output.getAttribute("data-samples"));
  if (!source || !samplesElement) {
    return;
  }
  var samples = JSON.parse(samplesElement.textContent || "{}");

  var GSM_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXTENSION = "^{}\\[~]|€";
  var PLACEHOLDER = /\(\(([^()\n]{0,60})\)\)/g;

  function render(text) {
    return text.replace(PLACEHOLDER, function (match, name) {
      var key = name.trim();
      return Object.prototype.hasOwnProperty.call(samples, key) ? samples[key] : match;
    });
  }

  function parts(characters, single, perPart) {
    if (characters <= single) {
      return [characters ? 1 : 0, single];
    }
    return [Math.ceil(characters / perPart), perPart];
  }

  function smsLength(text) {
    var gsm = true;
    var septets = 0;
    for (var i = 0; i < text.length; i += 1) {
      var character = text.charAt(i);
      if (GSM_EXTENSION.indexOf(character) !== -1) {
        septets += 2;
      } else if (GSM_BASIC.indexOf(character) !== -1) {
        septets += 1;
      } else {
        gsm = false;
        break;
      }
    }
    if (gsm) {
      var gsmParts = parts(septets, 160, 153);
      return { encoding: "GSM-7", characters: septets, parts: gsmParts[0], per_part: gsmParts[1] };
    }
    // A JavaScript string's length is its UTF-16 code units, as UCS-2 counts them.
    var ucsParts = parts(text.length, 70, 67);
    return { encoding: "UCS-2", characters: text.length, parts: ucsParts[0], per_part: ucsParts[1] };
  }

  function describe(length) {
    var format = output.getAttribute(length.parts === 1 ? "data-text-one" : "data-text-many");
    return format.replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(length, name) ? String(length[name]) : match;
    });
  }

  var timer = null;
  function update() {
    var text = describe(smsLength(render(source.value)));
    if (output.textContent !== text) {
      output.textContent = text;
    }
  }

  output.hidden = false;
  update();
  source.addEventListener("input", function () {
    // Counted once the officer pauses, so a screen reader is not told the count at every key.
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 300);
  });
})();
