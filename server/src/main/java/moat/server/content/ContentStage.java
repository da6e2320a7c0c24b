package moat.server.content;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import moat.core.Event;
import moat.core.Reason;
import moat.core.Reply;
import moat.policy.CheckState;
import moat.policy.Content;
import moat.policy.FailAction;
import moat.policy.Policy;
import moat.policy.Stage;
import moat.policy.Verdict;
import moat.policy.content.AttachmentCheck;
import moat.policy.content.PatternCheck;
import moat.protocol.smtp.SessionInfo;
import moat.server.audit.AuditLog;
import moat.server.config.Config;
import moat.server.content.clamd.ClamdAddress;
import moat.server.content.clamd.ClamdCheck;
import moat.server.content.clamd.ClamdClient;
import moat.server.policy.PolicySettings;

/**
 * Runs the content checks' data stage over one staged message and turns the verdicts into what
 * the SMTP session does: refuse (5xx/4xx, nothing stored) or deliver (maybe quarantined, maybe
 * with added header fields). The checks run on their own virtual thread under
 * {@code content.timeout}, against a copy of the session's policy state, so a check that hangs
 * can neither hold the session nor touch its state afterwards.
 */
public final class ContentStage {
    /** The outcome for the session. */
    public sealed interface Decision {
        /** Fields for the smtp.transaction audit event. */
        Map<String, Object> audit();

        /** Refuse before "250": nothing is stored. */
        record Refuse(Reply reply, Map<String, Object> audit) implements Decision {}

        /**
         * Store it; {@code quarantine}: local recipients get it in Junk, remote rows are held;
         * {@code headers}: fields (with CRLF) to put on top of the stored message.
         */
        record Deliver(Optional<CheckState.Quarantined> quarantine, String headers, Map<String, Object> audit)
                implements Decision {}
    }

    /** Deliver unchanged: what the stage decides when no check applies to the session. */
    public static final Decision.Deliver UNCHECKED = new Decision.Deliver(Optional.empty(), "", Map.of());

    private final List<Policy.Rule> rules;
    private final int rejectScore;
    private final Duration timeout;
    private final boolean failOpen;
    private final boolean checkSubmission;
    private final long scanLimit;
    private final AuditLog audit;

    public ContentStage(List<Policy.Rule> rules, int rejectScore, Duration timeout, boolean failOpen,
                        boolean checkSubmission, long scanLimit, AuditLog audit) {
        this.rules = List.copyOf(rules);
        this.rejectScore = rejectScore;
        this.timeout = timeout;
        this.failOpen = failOpen;
        this.checkSubmission = checkSubmission;
        this.scanLimit = scanLimit;
        this.audit = audit;
    }

    /**
     * The configured checks (attachment extensions, patterns, antivirus) followed by {@code extra}:
     * checks an embedding program registers (they are configured here exactly like the built-in
     * ones). {@code console} gets the antivirus start-up line.
     */
    public static ContentStage build(Config c, List<Policy.Rule> extra, AuditLog audit, Consumer<String> console) {
        List<Policy.Rule> rules = new ArrayList<>();
        rules.add(new Policy.Rule(new AttachmentCheck(java.util.Set.copyOf(c.get(ContentSettings.BLOCKED_EXTENSIONS)),
                c.get(ContentSettings.MAX_PARTS)), FailAction.parse(c.get(ContentSettings.ATTACHMENT_ACTION)),
                c.get(ContentSettings.ATTACHMENT_POINTS)));
        List<Pattern> patterns = c.get(ContentSettings.PATTERNS).stream().map(Pattern::compile).toList();
        if (!patterns.isEmpty()) {
            rules.add(new Policy.Rule(new PatternCheck(patterns), FailAction.parse(c.get(ContentSettings.PATTERN_ACTION)),
                    c.get(ContentSettings.PATTERN_POINTS)));
        }
        // After the cheap checks: a message they refuse costs no clamd round trip.
        antivirus(c, console).ifPresent(rules::add);
        rules.addAll(extra);
        return new ContentStage(rules, c.get(PolicySettings.REJECT_SCORE), c.get(ContentSettings.TIMEOUT),
                c.get(ContentSettings.ON_ERROR).equals("accept"), c.get(ContentSettings.CHECK_SUBMISSION),
                c.get(ContentSettings.MAX_SCAN_SIZE), audit);
    }

    /** The clamd check when content.clamd_address is set; says at start whether antivirus is on and clamd answers. */
    private static Optional<Policy.Rule> antivirus(Config c, Consumer<String> console) {
        String where = c.get(ContentSettings.CLAMD_ADDRESS);
        FailAction action = FailAction.parse(c.get(ContentSettings.VIRUS_ACTION));
        if (where.isEmpty()) {
            console.accept("antivirus: off (content.clamd_address not set)");
            return Optional.empty();
        }
        if (action == FailAction.OFF) {
            console.accept("antivirus: off (content.virus_action = off)");
            return Optional.empty();
        }
        ClamdClient client = new ClamdClient(ClamdAddress.parse(where), c.get(ContentSettings.CLAMD_TIMEOUT));
        try {
            console.accept("antivirus: clamd at " + where + " (" + client.version() + "), action " + action.spelling());
        } catch (IOException e) {
            // Not fatal: clamd often starts after the mail server (it loads its database slowly).
            console.accept("antivirus: WARNING clamd at " + where + " does not answer (" + e.getMessage() + "); until it does, "
                    + "mail is " + (c.get(ContentSettings.ON_ERROR).equals("accept") ? "accepted unscanned" : "deferred")
                    + " (content.on_error)");
        }
        return Optional.of(new Policy.Rule(new ClamdCheck(client, c.get(ContentSettings.CLAMD_MAX_SIZE)), action,
                c.get(ContentSettings.VIRUS_POINTS)));
    }

    /** How many octets a check may read of each message. */
    public long scanLimit() {
        return scanLimit;
    }

    /** False when nothing would run for this session: the caller need not build a {@link Content}. */
    public boolean applies(SessionInfo s) {
        return rules.stream().anyMatch(r -> r.action() != FailAction.OFF)
                && (checkSubmission || !s.listener().isSubmission());
    }

    /**
     * Runs the data stage. {@code sessionScore}: the points the session's perimeter checks gave so
     * far (content points add to them against policy.reject_score); {@code queueId} for the log.
     */
    public Decision run(SessionInfo s, String queueId, int sessionScore, Content content) {
        if (!applies(s)) return UNCHECKED;
        CheckState state = new CheckState(s.client().getAddress());
        state.authenticated(s.authUser().isPresent());
        state.newTransaction(content.sender());
        List<Map<String, Object>> decided = new CopyOnWriteArrayList<>();
        Policy policy = new Policy(rules, Math.max(1, rejectScore - sessionScore), (check, stage, v) -> {
            if (stage == Stage.DATA) decided.add(fields(check, v));
        });
        CompletableFuture<Verdict> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("moat-content-" + queueId).start(() -> {
            try {
                result.complete(policy.data(state, content));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        Verdict v;
        try {
            v = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            worker.interrupt();
            return failed(s, queueId, "timeout after " + timeout);
        } catch (ExecutionException e) {
            return failed(s, queueId, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
            return failed(s, queueId, "interrupted");
        }
        for (Map<String, Object> d : decided) log(s, queueId, d);
        Map<String, Object> tx = new LinkedHashMap<>();
        Optional<Reply> refusal = Policy.reply(v);
        if (refusal.isPresent()) {
            tx.put("content", kind(v) + " " + refusal.get().reason().map(Reason::id).orElse(""));
            return new Decision.Refuse(forPeer(refusal.get()), tx);
        }
        StringBuilder headers = new StringBuilder();
        state.quarantine().ifPresent(q -> {
            tx.put("content", "quarantine " + q.verdict().reason().id());
            // Tells the user in Junk why the message is there.
            headers.append(new Verdict.AddHeader("X-Moat-Quarantine", q.check() + "; " + q.verdict().reason().id()).line());
        });
        for (Verdict.AddHeader h : state.addedHeaders()) headers.append(h.line());
        return new Decision.Deliver(state.quarantine(), headers.toString(), tx);
    }

    /**
     * The signature name of a virus verdict stays in the log (content.verdict detail): telling an
     * outsider which signature fired helps them rework the malware until none does.
     */
    private static Reply forPeer(Reply r) {
        if (r.reason().filter(x -> x == Reason.CONTENT_VIRUS).isEmpty()) return r;
        return new Reply(r.code(), r.status(), List.of(Reason.CONTENT_VIRUS.text()), r.reason());
    }

    private Decision failed(SessionInfo s, String queueId, String error) {
        Map<String, Object> m = session(s, queueId);
        m.put("reason", Reason.CONTENT_CHECK_FAILED.id());
        m.put("error", error);
        m.put("action", failOpen ? "accept" : "defer");
        audit.event(Event.CONTENT_CHECK_FAILED, m);
        if (failOpen) return new Decision.Deliver(Optional.empty(), "", Map.of("content", "unchecked"));
        return new Decision.Refuse(Reply.of(Reason.CONTENT_CHECK_FAILED), Map.of("content", "defer " + Reason.CONTENT_CHECK_FAILED.id()));
    }

    private void log(SessionInfo s, String queueId, Map<String, Object> verdict) {
        Map<String, Object> m = session(s, queueId);
        m.putAll(verdict);
        audit.event(Event.CONTENT_VERDICT, m);
    }

    private static Map<String, Object> session(SessionInfo s, String queueId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", s.sessionId());
        m.put("listener", s.listener().name().toLowerCase(Locale.ROOT));
        m.put("client_ip", s.client().getAddress().getHostAddress());
        s.authUser().ifPresent(u -> m.put("auth_user", u.toString()));
        m.put("queue_id", queueId);
        return m;
    }

    private static Map<String, Object> fields(String check, Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("check", check);
        m.put("verdict", kind(v));
        switch (v) {
            case Verdict.NoOpinion n -> { }
            case Verdict.Accept a -> m.put("detail", a.why());
            case Verdict.Reject r -> reason(m, r.reason(), r.detail());
            case Verdict.Defer d -> reason(m, d.reason(), d.detail());
            case Verdict.Quarantine q -> reason(m, q.reason(), q.detail());
            case Verdict.Score sc -> {
                reason(m, sc.reason(), sc.detail());
                m.put("points", sc.points());
            }
            case Verdict.AddHeader h -> m.put("header", h.name());
        }
        return m;
    }

    private static void reason(Map<String, Object> m, Reason r, String detail) {
        m.put("reason", r.id());
        m.put("detail", detail);
    }

    private static String kind(Verdict v) {
        return switch (v) {
            case Verdict.NoOpinion n -> "none";
            case Verdict.Accept a -> "accept";
            case Verdict.Reject r -> "reject";
            case Verdict.Defer d -> "defer";
            case Verdict.Quarantine q -> "quarantine";
            case Verdict.Score sc -> "score";
            case Verdict.AddHeader h -> "header";
        };
    }
}
