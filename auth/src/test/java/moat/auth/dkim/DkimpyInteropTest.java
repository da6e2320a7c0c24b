package moat.auth.dkim;

import static moat.auth.dkim.Fixtures.ED;
import static moat.auth.dkim.Fixtures.MESSAGE;
import static moat.auth.dkim.Fixtures.RSA;
import static moat.auth.dkim.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import moat.auth.dkim.DkimResult.Code;
import moat.core.dns.StaticZone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interoperability with dkimpy (Debian package python3-dkim), an independent implementation:
 * Moat signs and dkimpy verifies, dkimpy signs and Moat verifies. Fails, never skips, when
 * dkimpy is missing.
 */
@Tag("interop")
class DkimpyInteropTest {
    private static final String SCRIPT = """
            import sys, base64, dkim
            mode, msgfile, keyname, record = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
            def dnsfunc(name, timeout=5):
                n = name.decode() if isinstance(name, bytes) else name
                return record.encode() if n.rstrip('.').lower() == keyname else None
            msg = open(msgfile, 'rb').read()
            if mode == 'verify':
                ok = dkim.verify(msg, dnsfunc=dnsfunc)
                print('PASS' if ok else 'FAIL')
            else:
                alg, keyfile, canon = sys.argv[5], sys.argv[6], sys.argv[7].split('/')
                key = open(keyfile, 'rb').read()
                sig = dkim.sign(msg, b'sel', b'example.com', key, signature_algorithm=alg.encode(),
                                canonicalize=(canon[0].encode(), canon[1].encode()),
                                include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
                sys.stdout.write(sig.decode())
            """;
    private static final String KEY_NAME = "sel._domainkey.example.com";

    private static String python;

    @TempDir
    Path dir;

    @BeforeAll
    static void findDkimpy() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import dkim, nacl").redirectErrorStream(true).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    python = candidate;
                    return;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fail("dkimpy not found: install python3-dkim (apt-get install python3-dkim python3-nacl) to run the interop tests");
    }

    private static KeyPair pair(String alg) {
        return alg.startsWith("ed25519") ? ED : RSA;
    }

    private String run(String... args) throws Exception {
        Path script = dir.resolve("dkimpy_driver.py");
        Files.writeString(script, SCRIPT);
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dkimpy timed out");
        }
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "Moat signs {0} {1}/{2}, dkimpy verifies")
    @CsvSource({"ed25519-sha256, relaxed, relaxed", "ed25519-sha256, simple, simple",
                "rsa-sha256, relaxed, relaxed", "rsa-sha256, simple, simple", "rsa-sha256, relaxed, simple"})
    void dkimpyVerifiesWhatMoatSigns(String alg, String hc, String bc) throws Exception {
        KeyPair kp = pair(alg);
        DkimSigner signer = new DkimSigner(new DkimSigningKey("example.com", "sel", kp.getPrivate()),
                Canonicalization.valueOf(hc.toUpperCase()), Canonicalization.valueOf(bc.toUpperCase()),
                Clock.systemUTC());
        Path msg = dir.resolve("moat-signed.eml");
        Files.write(msg, bytes(signer.sign(bytes(MESSAGE)) + MESSAGE));
        assertThat(run("verify", msg.toString(), KEY_NAME, DkimKeys.dnsRecord(kp.getPublic())).strip())
                .isEqualTo("PASS");
        // dkimpy must also see a tampered message fail, or the PASS above means nothing.
        Files.write(msg, bytes(signer.sign(bytes(MESSAGE)) + MESSAGE.replace("noon", "nine")));
        assertThat(run("verify", msg.toString(), KEY_NAME, DkimKeys.dnsRecord(kp.getPublic())).strip())
                .isEqualTo("FAIL");
    }

    @ParameterizedTest(name = "dkimpy signs {0} {1}, Moat verifies")
    @CsvSource({"ed25519-sha256, relaxed/relaxed", "ed25519-sha256, simple/simple",
                "rsa-sha256, relaxed/relaxed", "rsa-sha256, simple/relaxed"})
    void moatVerifiesWhatDkimpySigns(String alg, String canon) throws Exception {
        KeyPair kp = pair(alg);
        Path key = dir.resolve("key");
        if (alg.startsWith("ed25519")) {
            // dkimpy takes the base64 of the 32-octet seed, the tail of the JDK's PKCS#8 encoding.
            byte[] pkcs8 = kp.getPrivate().getEncoded();
            Files.writeString(key, Base64.getEncoder().encodeToString(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length)));
        } else {
            Files.writeString(key, DkimKeys.toPem(kp.getPrivate()));
        }
        Path msg = dir.resolve("message.eml");
        Files.write(msg, bytes(MESSAGE));
        String field = run("sign", msg.toString(), KEY_NAME, "", alg, key.toString(), canon);
        assertThat(field).startsWith("DKIM-Signature:");
        DkimVerifier verifier = new DkimVerifier(StaticZone.builder().txt(KEY_NAME, DkimKeys.dnsRecord(kp.getPublic()))
                .build(), DkimSettings.defaults(), Clock.systemUTC());
        List<DkimResult> r = verifier.verify(bytes(field + MESSAGE));
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.result()).as(x.reason()).isEqualTo(Code.PASS);
            assertThat(x.algorithm()).isEqualTo(alg);
        });
        assertThat(verifier.verify(bytes(field + MESSAGE.replace("Lunch", "Dinner"))).getFirst().result())
                .isEqualTo(Code.FAIL);
    }
}
