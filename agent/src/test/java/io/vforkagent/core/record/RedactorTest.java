package io.vforkagent.core.record;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The redaction table: each row is what the application passed and what a record shows. */
class RedactorTest {
    private final Redactor redactor = Redactor.withPatterns("sk-[A-Za-z0-9]+;(?<=SSN )\\d{3}-\\d{2}-\\d{4}");

    private String redact(String args) {
        return String.join(" ", redactor.redact(Arrays.asList(args.split(" "))));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "--password hunter2 --user bob | --password *** --user bob",
        "--password=hunter2 | --password=***",
        "--token abc123 | --token ***",
        "--api-key abc | --api-key ***",
        "--apikey=abc | --apikey=***",
        "--secret s3 run | --secret *** run",
        "--client-secret=zz | --client-secret=***",
        "-p hunter2 db | -p *** db",
        "-phunter2 db | -p*** db",
        "-print -pthread -p8080 | -print -pthread -p8080",
        "DB_PASSWORD=hunter2 ls | DB_PASSWORD=*** ls",
        "aws_secret_access_key=AKIA | aws_secret_access_key=***",
        "GITHUB_TOKEN=ghp_x | GITHUB_TOKEN=***",
        "mode=fast name=joe | mode=fast name=joe",
        "https://bob:hunter2@example.com/x | https://bob:***@example.com/x",
        "git clone https://user:tok@host/repo.git | git clone https://user:***@host/repo.git",
        "https://example.com/path?q=1 | https://example.com/path?q=1",
        "use sk-abcdef123 now | use *** now",
        "ls -la /tmp | ls -la /tmp",
    })
    void table(String in, String out) {
        assertEquals(out, redact(in));
    }

    @Test
    void headers() {
        assertEquals(List.of("curl", "-H", "Authorization: ***", "-H", "Accept: json"),
                redactor.redact(List.of("curl", "-H", "Authorization: Bearer abc.def", "-H", "Accept: json")));
        assertEquals(List.of("-H", "X-Api-Key: ***"), redactor.redact(List.of("-H", "X-Api-Key: 123")));
    }

    @Test
    void flagAtTheEndMasksNothingElse() {
        assertEquals(List.of("run", "--password"), redactor.redact(List.of("run", "--password")));
    }

    @Test
    void joinQuotesAndCaps() {
        assertEquals("a \"b c\" \"\" \"q\\\"x\"", Redactor.join(List.of("a", "b c", "", "q\"x"), 100));
        String joined = Redactor.join(List.of("x".repeat(50), "y".repeat(50)), 60);
        assertEquals(60 + "...(truncated)".length(), joined.length());
        assertEquals(true, joined.endsWith("...(truncated)"));
    }
}
