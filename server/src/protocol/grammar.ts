/**
 * The grammars of the strings that cross the wire and end up somewhere that
 * parses them: another browser's SDP (mediasoup copies a producer's codec
 * parameters, cname and msid into every consumer of it, and mediasoup-client
 * writes them into the remote description unescaped) or another person's
 * screen (display names, chat). They are plain regular-expression sources so
 * that the TypeBox schemas carry them as `pattern`s, and the server's compiled
 * checker and the browser's interpreted one enforce exactly the same thing.
 *
 * None of them admits CR, LF or NUL: a line break is what would let a value
 * become an SDP line of its own (a=candidate, a=fingerprint, ...).
 */

/** RFC 8866 token-char: visible ASCII except the separators ( ) < > @ , ; : \ " / [ ] ? = and space. */
const TOKEN_CHAR = "[!#-'*+\\-.0-9A-Z^-~]";
/** Visible ASCII, no space (0x21-0x7E). */
const VISIBLE_CHAR = '[!-~]';

/** An RFC 8866 `token` of 1 to `max` characters (SDP attribute and fmtp parameter names, mid, rtcp-fb types). */
export const tokenPattern = (max: number, min = 1) => `^${TOKEN_CHAR}{${min},${max}}$`;

/** `type/subtype`, both tokens (a=rtpmap's encoding name is the subtype): `video/VP8`, `audio/opus`. */
export const MIME_TYPE_PATTERN = `^${TOKEN_CHAR}{1,32}/${TOKEN_CHAR}{1,64}$`;

/**
 * A string fmtp parameter value: visible ASCII without `;` (separates
 * parameters) or `=` (separates name and value), so no space, CR, LF or NUL.
 * Browsers send things like `42e01f`, `1`, `0-15`.
 */
export const FMTP_VALUE_PATTERN = '^[!-:<>-~]{1,256}$';

/** The RTCP CNAME (a=ssrc:N cname:...): visible ASCII, no space. Chromium sends base64, Firefox `{uuid}`. */
export const CNAME_PATTERN = `^${VISIBLE_CHAR}{0,256}$`;

/** RFC 8830 `msid-id SP msid-appdata`, each 1*64token-char (mediasoup-client sends `streamId trackId`). */
export const MSID_PATTERN = `^${TOKEN_CHAR}{1,64}( ${TOKEN_CHAR}{1,64})?$`;

/** RFC 8851 rid-id: letters, digits, `-` and `_`. */
export const RID_PATTERN = '^[A-Za-z0-9_-]{1,32}$';

/**
 * The W3C WebRTC-SVC scalability modes browsers use: `L1T3`, `S3T3`,
 * `L3T3_KEY`, `L2T3_KEY_SHIFT`, `S2T3h`. At most 3 spatial and 3 temporal
 * layers: the worker allocates counters per layer pair, so `L99T99` would
 * cost about 9 MB per stream.
 */
export const SCALABILITY_MODE_PATTERN = '^(L[1-3]T[1-3](h|_KEY(_SHIFT)?)?|S[1-3]T[1-3]h?)$';

/** An RFC 8285 extmap URI (RFC 3986 characters only): `urn:ietf:params:rtp-hdrext:sdes:mid`, `http://...`. */
export const URI_PATTERN = "^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]{1,240}$";

/** A DTLS fingerprint: hex byte pairs separated by colons (SHA-1 to SHA-512). */
export const FINGERPRINT_PATTERN = '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){0,63}$';

/** RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/" (ICE ufrag, password, foundation). */
export const iceCharsPattern = (max: number) => `^[A-Za-z0-9+/]{1,${max}}$`;

/** An IP address or host name, as announced in ICE candidates. */
export const HOST_PATTERN = '^[A-Za-z0-9.:_%-]{1,253}$';

/** Server-made ids (UUIDs, room ids): no separators, nothing that could be markup. */
export const ID_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';

// ---------------------------------------------------------------------------
// Text shown to other people.

/** C0 controls, DEL and C1 controls. */
const CONTROLS = '\\u0000-\\u001F\\u007F-\\u009F';
/** C0 controls but tab and newline, DEL and C1 controls. */
const CONTROLS_BUT_TAB_NEWLINE = '\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F';
/** Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they reorder the text around them. */
const BIDI_CONTROLS = '\\u202A-\\u202E\\u2066-\\u2069';
/** Line and paragraph separators. */
const LINE_SEPARATORS = '\\u2028\\u2029';
/**
 * Characters that render as nothing: zero-width space, joiners and marks
 * (U+200B-U+200F), word joiner and invisible operators (U+2060-U+2064),
 * BOM, soft hyphen, combining grapheme joiner, Mongolian vowel separator,
 * Arabic letter mark, Hangul fillers, variation selectors.
 */
const INVISIBLE = '\\u200B-\\u200F\\u2060-\\u2064\\uFEFF\\u00AD\\u034F\\u180E\\u061C\\u115F\\u1160\\u3164\\uFFA0\\uFE00-\\uFE0F';
/** A lone surrogate is not text; a pair is one astral character. */
const SURROGATE_PAIR = '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';

/**
 * A display name: no controls, no bidi controls, no line separators, no lone
 * surrogates, and at least one character that is neither white space nor
 * invisible (Unicode tag characters U+E0000-U+E007F count as invisible).
 */
export const DISPLAY_NAME_PATTERN =
  `^(?=(?:[\\s${INVISIBLE}]|\\uDB40[\\uDC00-\\uDC7F])*(?:[^\\s${INVISIBLE}\\uD800-\\uDFFF]|(?!\\uDB40[\\uDC00-\\uDC7F])${SURROGATE_PAIR}))` +
  `(?:[^${CONTROLS}${BIDI_CONTROLS}${LINE_SEPARATORS}\\uD800-\\uDFFF]|${SURROGATE_PAIR})+$`;

/** Chat text: no controls except tab and newline, no bidi controls, no lone surrogates. */
export const CHAT_TEXT_PATTERN = `^(?:[^${CONTROLS_BUT_TAB_NEWLINE}${BIDI_CONTROLS}\\uD800-\\uDFFF]|${SURROGATE_PAIR})+$`;

/** Other text from the server shown on screen (reasons): one line, no controls. */
export const PLAIN_TEXT_PATTERN = `^(?:[^${CONTROLS}${BIDI_CONTROLS}${LINE_SEPARATORS}\\uD800-\\uDFFF]|${SURROGATE_PAIR})*$`;

/** Strings handed to the browser's RTCPeerConnection configuration (TURN URLs and credentials). */
export const BYTE_STRING_PATTERN = `^[^${CONTROLS}]*$`;
