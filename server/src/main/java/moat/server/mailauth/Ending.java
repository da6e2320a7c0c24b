package moat.server.mailauth;

import java.util.Map;
import moat.core.Reply;

/** What end of DATA decided for one message, with the fields for the smtp.transaction audit event. */
public sealed interface Ending {
    Map<String, Object> audit();

    /** Store it: {@code prefix} (trace and authentication fields) goes before the message, local users get it in {@code folder}. */
    record Deliver(Folder folder, byte[] prefix, Map<String, Object> audit) implements Ending {
        public Deliver {
            audit = Map.copyOf(audit);
        }
    }

    /** Refuse it before "250": nothing is stored. */
    record Refuse(Reply reply, Map<String, Object> audit) implements Ending {
        public Refuse {
            audit = Map.copyOf(audit);
        }
    }
}
