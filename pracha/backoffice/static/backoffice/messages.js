// Progressive enhancement of the SMS template editor: the page works without it (Preview shows the
// length). As the officer types, the length of the SMS is counted as the phone counts it, with the same
// typical values in the placeholders as the preview, and read out politely (aria-live) when it changes.
// Counting rules (the same as pracha/notifications/sms.py): a text only in the GSM 03.38 basic set is
// GSM-7, 160 characters in one message and 153 per part, an extension character counting 2; anything
// else, Thai included, is UCS-2, 70 UTF-16 code units in one message and 67 per part; a character
// that counts 2 is never split between two parts.
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

  // sizes: what each character counts. One that counts 2 is never split between two parts.
  function length(encoding, sizes, single, perPart) {
    var characters = 0;
    var count = sizes.length ? 1 : 0;
    var room = perPart;
    for (var i = 0; i < sizes.length; i += 1) {
      characters += sizes[i];
      if (sizes[i] > room) {
        count += 1;
        room = perPart;
      }
      room -= sizes[i];
    }
    if (characters <= single) {
      return { encoding: encoding, characters: characters, parts: count ? 1 : 0, per_part: single };
    }
    return { encoding: encoding, characters: characters, parts: count, per_part: perPart };
  }

  function smsLength(text) {
    var septets = [];
    for (var i = 0; i < text.length; i += 1) {
      var character = text.charAt(i);
      if (GSM_EXTENSION.indexOf(character) !== -1) {
        septets.push(2);
      } else if (GSM_BASIC.indexOf(character) !== -1) {
        septets.push(1);
      } else {
        septets = null;
        break;
      }
    }
    if (septets) {
      return length("GSM-7", septets, 160, 153);
    }
    // UTF-16 code units, as UCS-2 counts them: a surrogate pair (most emoji) counts 2.
    var units = [];
    for (var j = 0; j < text.length; j += 1) {
      var code = text.charCodeAt(j);
      if (code >= 0xd800 && code <= 0xdbff && j + 1 < text.length) {
        units.push(2);
        j += 1;
      } else {
        units.push(1);
      }
    }
    return length("UCS-2", units, 70, 67);
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
