package io.vforkagent.core;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {
    @Test
    void defaults() {
        Options o = Options.parse(null, new Properties());
        assertEquals("vfork", o.launcher());
        assertTrue(o.flag("jmx"));
        assertEquals(100, o.integer("slowSpawnMs"));
        assertEquals("redact", o.get("args"));
    }

    @Test
    void agentArgumentsWinOverProperties() {
        Properties p = new Properties();
        p.setProperty("vforkagent.launcher", "jdk");
        p.setProperty("vforkagent.jmx", "false");
        Options o = Options.parse("launcher=vfork, slowSpawnMs=5", p);
        assertEquals("vfork", o.launcher());
        assertFalse(o.flag("jmx"));
        assertEquals(5, o.integer("slowSpawnMs"));
    }

    @Test
    void bareFlagMeansTrue() {
        assertTrue(Options.parse("help", new Properties()).flag("help"));
    }

    @Test
    void unknownOptionIsNamedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.parse("lancher=vfork", new Properties()));
        assertEquals("unknown option 'lancher' (agent argument lancher); known options: launcher, tmpdir, jmx, "
                + "slowSpawnMs, args, redact, help", e.getMessage());
    }

    @Test
    void badValueNamesTheOptionAndTheAcceptedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.parse("launcher=posix", new Properties()));
        assertEquals("option launcher=posix is not valid (agent argument launcher); accepted values: vfork, jdk",
                e.getMessage());
        Properties p = new Properties();
        p.setProperty("vforkagent.slowSpawnMs", "-3");
        e = assertThrows(IllegalArgumentException.class, () -> Options.parse(null, p));
        assertTrue(e.getMessage().startsWith("option slowSpawnMs=-3 is not valid (-Dvforkagent.slowSpawnMs)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Options.parse("redact=([a", new Properties()));
    }

    /** Every option with a closed set of values refuses one outside it, naming both. */
    @Test
    void eachOptionRefusesABadValue() {
        String[][] cases = {
            {"jmx=yes", "option jmx=yes is not valid (agent argument jmx); accepted values: true, false"},
            {"help=maybe", "option help=maybe is not valid (agent argument help); accepted values: true, false"},
            {"args=some", "option args=some is not valid (agent argument args); accepted values: redact, full, off"},
            {"slowSpawnMs=soon", "option slowSpawnMs=soon is not valid (agent argument slowSpawnMs); accepted values: "
                    + "a whole number of milliseconds >= 0"},
            {"redact=([a", "option redact=([a is not valid (agent argument redact); accepted values: regular "
                    + "expressions separated by ';'"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Options.parse(c[0], new Properties()), c[0]);
            assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
        }
    }

    /**
     * A closed-set value means the same however it is written, wherever it is given: it is kept
     * in one form, so no reader can compare it differently (args=OFF once recorded everything).
     */
    @Test
    void enumeratedValuesAreOneValueInAnyCase() {
        String[][] cases = {
            {"args", "OFF", "off"}, {"args", "Off", "off"}, {"args", "FULL", "full"}, {"args", "Redact", "redact"},
            {"launcher", "JDK", "jdk"}, {"launcher", "VFork", "vfork"},
            {"jmx", "FALSE", "false"}, {"jmx", "True", "true"},
            {"help", "TRUE", "true"}, {"help", "False", "false"},
            {"slowSpawnMs", "+007", "7"},
        };
        for (String[] c : cases) {
            Options agentArg = Options.parse(c[0] + "=" + c[1], new Properties());
            assertEquals(c[2], agentArg.get(c[0]), "agent argument " + c[0] + "=" + c[1]);
            Properties p = new Properties();
            p.setProperty("vforkagent." + c[0], c[1]);
            assertEquals(c[2], Options.parse(null, p).get(c[0]), "-Dvforkagent." + c[0] + "=" + c[1]);
            // The attach path parses its options the same way, without properties.
            assertEquals(c[2], Options.parse(" " + c[0] + " = " + c[1] + " ", new Properties()).get(c[0]));
        }
        assertFalse(Options.parse("jmx=FALSE", new Properties()).flag("jmx"));
        assertEquals("jdk", Options.parse("launcher=JDK", new Properties()).launcher());
    }

    /** Patterns and paths keep their case; a pattern is checked as given, not lower-cased. */
    @Test
    void patternsAreCheckedAsGiven() {
        assertEquals("Sk-[A-Z]+", Options.parse("redact=Sk-[A-Z]+", new Properties()).get("redact"));
        assertEquals("/Tmp/X", Options.parse("tmpdir=/Tmp/X", new Properties()).get("tmpdir"));
        // a\N does not compile (its lower case a\n would): refused, not accepted and failing at each record.
        assertThrows(IllegalArgumentException.class, () -> Options.parse("redact=a\\N", new Properties()));
    }

    @Test
    void tableListsEveryOption() {
        String table = Options.table();
        for (String name : Options.SPECS.keySet()) {
            assertTrue(table.contains("\n" + name + " "), name);
        }
    }
}
