package moat.server.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Directory;
import moat.store.StoreException;

/** A test double of the store's Directory: plain maps, passwords kept as text to assert on. */
final class InMemoryDirectory implements Directory {
    final Set<Domain> domains = new LinkedHashSet<>();
    final Map<String, EmailAddress> users = new LinkedHashMap<>();
    final Map<String, String> passwords = new LinkedHashMap<>();
    final Map<String, Alias> aliases = new LinkedHashMap<>();

    @Override
    public boolean addDomain(Domain domain) {
        return domains.add(domain);
    }

    @Override
    public boolean removeDomain(Domain domain) {
        return domains.remove(domain);
    }

    @Override
    public List<Domain> domains() {
        return List.copyOf(domains);
    }

    @Override
    public boolean isLocalDomain(Domain domain) {
        return domains.contains(domain);
    }

    @Override
    public void addUser(EmailAddress user, char[] password) {
        if (!isLocalDomain(user.domain())) throw new StoreException("not a local domain: " + user.domain());
        if (users.containsKey(user.key())) throw new StoreException("duplicate user " + user);
        users.put(user.key(), user);
        passwords.put(user.key(), new String(password));
    }

    @Override
    public boolean setPassword(EmailAddress user, char[] password) {
        if (!users.containsKey(user.key())) return false;
        passwords.put(user.key(), new String(password));
        return true;
    }

    final Map<String, Long> quotas = new LinkedHashMap<>();

    @Override
    public java.util.OptionalLong quota(EmailAddress user) {
        Long q = quotas.get(user.key());
        return q == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(q);
    }

    @Override
    public boolean setQuota(EmailAddress user, java.util.OptionalLong octets) {
        if (!users.containsKey(user.key())) return false;
        if (octets.isPresent()) quotas.put(user.key(), octets.getAsLong());
        else quotas.remove(user.key());
        return true;
    }

    @Override
    public boolean removeUser(EmailAddress user) {
        passwords.remove(user.key());
        return users.remove(user.key()) != null;
    }

    @Override
    public List<EmailAddress> users() {
        return List.copyOf(users.values());
    }

    @Override
    public java.util.Optional<EmailAddress> oldestUser() {
        return users.values().stream().findFirst();
    }

    @Override
    public void addAlias(EmailAddress alias, List<EmailAddress> targets) {
        List<EmailAddress> all = new ArrayList<>(aliases.containsKey(alias.key()) ? aliases.get(alias.key()).targets() : List.of());
        for (EmailAddress t : targets) if (!all.contains(t)) all.add(t);
        aliases.put(alias.key(), new Alias(alias, all));
    }

    @Override
    public boolean removeAlias(EmailAddress alias) {
        return aliases.remove(alias.key()) != null;
    }

    @Override
    public List<Alias> aliases() {
        return List.copyOf(aliases.values());
    }

    @Override
    public Optional<EmailAddress> authenticate(String username, char[] password) {
        EmailAddress u = users.get(username.toLowerCase());
        return u != null && passwords.get(u.key()).equals(new String(password)) ? Optional.of(u) : Optional.empty();
    }

    @Override
    public Resolution resolve(EmailAddress recipient) {
        return users.containsKey(recipient.key()) ? new Resolution.Deliver(List.of(recipient), List.of())
                : new Resolution.Unknown();
    }

    @Override
    public boolean owns(EmailAddress user, EmailAddress sender) {
        return user.key().equals(sender.key());
    }
}
