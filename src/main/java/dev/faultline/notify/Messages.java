package dev.faultline.notify;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.resilience.FindingService;
import dev.faultline.run.CheckKind;
import dev.faultline.run.Run;

/** What a notification says: a Slack Block Kit message, or the JSON a generic webhook receives. */
final class Messages {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    /** How much of a reason a notification carries; a guardrail's reason is far shorter, a user's abort reason need not be. */
    static final int REASON_LIMIT = 500;
    /** How many findings a Slack message lists; the run page has all of them. */
    static final int FINDINGS_LIMIT = 10;

    /** The guardrail whose failed check ended the run: its name, value, threshold and when. */
    record Breach(String guardrail, Double value, String threshold, java.time.Instant at) {
    }

    private Messages() {
    }

    /** The last failed guardrail check of an aborted run, if a guardrail ended it. */
    static Optional<Breach> breach(Run run, List<Run.Sample> samples) {
        if (run.state() != dev.faultline.run.RunState.ABORTED || run.reason() == null || !run.reason().startsWith("guardrail")) {
            return Optional.empty();
        }
        for (int i = samples.size() - 1; i >= 0; i--) {
            Run.Sample sample = samples.get(i);
            if (!sample.passed() && sample.kind() == CheckKind.GUARDRAIL) {
                int index = CheckKind.index(sample.check());
                String name = run.document() == null ? sample.check()
                        : run.document().path("spec").path("guardrails").path(index).path("name").asText(sample.check());
                return Optional.of(new Breach(name, sample.value(), sample.threshold(), sample.at()));
            }
        }
        return Optional.empty();
    }

    static String target(Run run) {
        JsonNode target = run.document() == null ? null : run.document().path("spec").path("target");
        if (target == null || target.isMissingNode()) {
            return "?";
        }
        return target.path("service").asText() + (target.has("subset") ? " (subset " + target.path("subset").asText() + ")" : "")
                + " in " + target.path("namespace").asText();
    }

    /**
     * The Block Kit message. Every piece of user text in it is escaped ({@link SlackText}): names and
     * who on one line, the reason as a quote, at most {@value #REASON_LIMIT} characters of it.
     */
    static String slack(String event, Run run, Optional<Breach> breach, Optional<FindingService.Analysis> analysis, String runUrl) {
        ObjectNode message = JSON.createObjectNode();
        String state = run.state().name();
        String experiment = SlackText.inline(run.experiment());
        String reason = reason(run.reason(), "on the run page");
        message.put("text", "Faultline: " + experiment + " " + (event.equals("started") ? "started" : state)
                + (reason == null ? "" : ": " + SlackText.inline(reason)));
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", icon(event) + " " + experiment + " "
                + (event.equals("started") ? "started" : state.toLowerCase(Locale.ROOT)));
        ObjectNode facts = blocks.addObject().put("type", "section");
        ArrayNode fields = facts.putArray("fields");
        field(fields, "Experiment", experiment + " (revision " + run.revision() + ")");
        field(fields, "Target", SlackText.inline(target(run)));
        field(fields, "State", state);
        if (run.verdict() != null) {
            field(fields, "Verdict", run.verdict().name());
        }
        field(fields, "Started by", SlackText.inline(run.startedBy()));
        if (reason != null && !event.equals("started")) {
            section(blocks, "*Reason*\n" + SlackText.quoted(reason));
        }
        breach.ifPresent(b -> section(blocks, "*Guardrail breached:* " + SlackText.inline(b.guardrail()) + "\n*Value* "
                + number(b.value()) + " against *threshold* " + SlackText.inline(b.threshold()) + "\n*Breached at* " + slackTime(b.at())));
        List<Run.Rule> removed = run.rules().stream().filter(rule -> rule.removedAt() != null).toList();
        if (!removed.isEmpty()) {
            StringBuilder text = new StringBuilder("*Rules removed*");
            removed.forEach(rule -> text.append("\n• ").append(SlackText.inline(rule.route())).append(" from ")
                    .append(SlackText.inline(rule.namespace() + "/" + rule.name())).append(" at ").append(slackTime(rule.removedAt())));
            section(blocks, text.toString());
        }
        analysis.ifPresent(drawn -> section(blocks, findings(drawn)));
        ObjectNode actions = blocks.addObject().put("type", "actions");
        ObjectNode button = actions.putArray("elements").addObject().put("type", "button").put("url", runUrl);
        button.putObject("text").put("type", "plain_text").put("text", "Open run " + run.id());
        return write(message);
    }

    /** The findings as one line each, at most {@value #FINDINGS_LIMIT}; none, or why they could not be drawn. */
    static String findings(FindingService.Analysis analysis) {
        if (analysis.findings() == null) {
            return "*Findings* could not be drawn: " + SlackText.inline(reason(analysis.unavailable(), "in the server log"));
        }
        if (analysis.findings().isEmpty()) {
            return "*Findings* none: no caller went without a timeout or retries for the fault, no errors spread, every guardrail followed it";
        }
        StringBuilder text = new StringBuilder("*Findings*");
        analysis.findings().stream().limit(FINDINGS_LIMIT).forEach(finding -> text.append("\n• ").append(SlackText.inline(finding.line())));
        if (analysis.findings().size() > FINDINGS_LIMIT) {
            text.append("\n…and ").append(analysis.findings().size() - FINDINGS_LIMIT).append(" more on the run page");
        }
        return text.toString();
    }

    /**
     * The reason as a notification carries it: when longer than {@value #REASON_LIMIT} characters,
     * the first of them, an ellipsis and where the full reason is (the run keeps all of it).
     */
    static String reason(String reason, String whereInFull) {
        if (reason == null || reason.length() <= REASON_LIMIT) {
            return reason;
        }
        int end = Character.isHighSurrogate(reason.charAt(REASON_LIMIT - 1)) ? REASON_LIMIT - 1 : REASON_LIMIT;
        return reason.substring(0, end) + "… (cut at " + REASON_LIMIT + " characters; the full reason is " + whereInFull + ")";
    }

    static String webhook(String event, Run run, Optional<Breach> breach, Optional<FindingService.Analysis> analysis, String runUrl,
            java.time.Instant at) {
        ObjectNode body = JSON.createObjectNode();
        body.put("event", event);
        body.put("at", at.toString());
        ObjectNode r = body.putObject("run");
        r.put("id", run.id()).put("experiment", run.experiment()).put("revision", run.revision()).put("state", run.state().name())
                .put("verdict", run.verdict() == null ? null : run.verdict().name())
                .put("reason", reason(run.reason(), "in the API: GET /api/v1/runs/" + run.id()))
                .put("startedBy", run.startedBy()).put("target", target(run)).put("url", runUrl);
        r.put("startedAt", run.startedAt() == null ? null : run.startedAt().toString());
        r.put("endedAt", run.endedAt() == null ? null : run.endedAt().toString());
        breach.ifPresent(b -> body.putObject("breach").put("guardrail", b.guardrail()).put("value", b.value())
                .put("threshold", b.threshold()).put("at", b.at().toString()));
        ArrayNode rules = body.putArray("rules");
        run.rules().forEach(rule -> rules.addObject().put("namespace", rule.namespace()).put("name", rule.name()).put("route", rule.route())
                .put("appliedAt", String.valueOf(rule.appliedAt())).put("removedAt", rule.removedAt() == null ? null : rule.removedAt().toString()));
        analysis.ifPresent(drawn -> {
            if (drawn.findings() == null) {
                body.put("findingsUnavailable", drawn.unavailable());
            } else {
                body.set("findings", JSON.valueToTree(drawn.findings()));
            }
        });
        return write(body);
    }

    static String test(String channel, Channel.Kind kind, String baseUrl) {
        ObjectNode message = JSON.createObjectNode();
        if (kind == Channel.Kind.SLACK) {
            message.put("text", "Faultline test message for channel " + SlackText.inline(channel) + " from " + baseUrl);
        } else {
            message.put("event", "test").put("channel", channel).put("from", baseUrl);
        }
        return write(message);
    }

    private static String icon(String event) {
        return switch (event) {
            case "aborted" -> ":rotating_light:";
            case "failed", "deviated" -> ":warning:";
            case "completed" -> ":white_check_mark:";
            default -> ":arrow_forward:";
        };
    }

    private static void field(ArrayNode fields, String name, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + name + "*\n" + value);
    }

    private static void section(ArrayNode blocks, String markdown) {
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", markdown);
    }

    /** At most four significant digits, without trailing zeros: 0.4873, 0.5, 1250. */
    static String number(Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return value == null ? "no value" : String.valueOf(value);
        }
        return new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** A time Slack shows in each reader's own time zone, with the UTC instant as the fallback text. */
    static String slackTime(java.time.Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time_secs}|" + at + ">";
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
