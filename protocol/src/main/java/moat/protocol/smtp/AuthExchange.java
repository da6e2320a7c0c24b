package moat.protocol.smtp;

import java.util.Optional;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.sasl.Credentials;
import moat.protocol.sasl.SaslDecoder;
import moat.protocol.smtp.SmtpHandler.AuditEvent;
import moat.protocol.smtp.SmtpHandler.AuthResult;

/** One AUTH exchange (RFC 4954): PLAIN (RFC 4616) or LOGIN, with continuation lines. */
final class AuthExchange {
    private static final String USERNAME_PROMPT = "VXNlcm5hbWU6"; // "Username:"
    private static final String PASSWORD_PROMPT = "UGFzc3dvcmQ6"; // "Password:"

    private final SmtpSession session;
    private String mechanism;
    private String loginUser; // LOGIN: the user name, once received
    private boolean done;

    AuthExchange(SmtpSession session) {
        this.session = session;
    }

    boolean done() {
        return done;
    }

    Action start(SmtpCommand.Auth a) {
        mechanism = a.mechanism();
        switch (mechanism) {
            case "PLAIN" -> {
                if (a.initialResponse().isEmpty()) return new Action.Send(Reply.plain(334, ""));
                return plain(a.initialResponse().get());
            }
            case "LOGIN" -> {
                if (a.initialResponse().isEmpty()) return new Action.Send(Reply.plain(334, USERNAME_PROMPT));
                return loginUser(a.initialResponse().get());
            }
            default -> {
                done = true;
                return session.error("AUTH", Reply.of(Reason.AUTH_MECHANISM));
            }
        }
    }

    Action onResponse(String line) {
        if (line.equals("*")) { // RFC 4954 section 4: the client cancels
            done = true;
            return session.error("AUTH", Reply.of(Reason.AUTH_CANCELLED));
        }
        if (mechanism.equals("PLAIN")) return plain(line);
        if (loginUser == null) return loginUser(line);
        Optional<char[]> pass = SaslDecoder.base64Utf8(line);
        if (pass.isEmpty()) return malformed();
        return verify(new Credentials(loginUser, pass.get()));
    }

    private Action loginUser(String response) {
        Optional<char[]> user = SaslDecoder.base64Utf8(response.equals("=") ? "" : response);
        if (user.isEmpty() || user.get().length == 0) return malformed();
        loginUser = new String(user.get());
        return new Action.Send(Reply.plain(334, PASSWORD_PROMPT));
    }

    private Action plain(String response) {
        Optional<Credentials> c = SaslDecoder.plain(response);
        if (c.isEmpty()) return malformed();
        return verify(c.get());
    }

    private Action malformed() {
        done = true;
        return session.error("AUTH", Reply.of(Reason.SYNTAX_PARAMETER, "Invalid SASL response"));
    }

    private Action verify(Credentials c) {
        done = true;
        AuthResult result;
        try {
            result = session.handler().authenticate(session.info(), c.username(), c.password());
        } finally {
            c.wipe();
        }
        return switch (result) {
            case AuthResult.Success s -> {
                session.authenticated(s.user());
                session.handler().audit(session.info(), new AuditEvent.AuthSucceeded(s.user(), mechanism));
                yield new Action.Send(Reply.of(235, "2.7.0", "Authentication successful"));
            }
            case AuthResult.Failure f -> session.error("AUTH", Reply.of(Reason.AUTH_FAILED));
            case AuthResult.TemporaryFailure t -> session.error("AUTH", Reply.of(Reason.AUTH_TEMP));
        };
    }
}
