package io.vforkagent.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import net.bytebuddy.ByteBuddy;

/** An application with its own ByteBuddy and JNA, of other versions than the agent's. */
public final class ForeignLibrariesApp {
    public interface LibC extends Library {
        int getpid();
    }

    private ForeignLibrariesApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("BYTEBUDDY " + ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation());
        System.out.println("JNA " + Native.class.getProtectionDomain().getCodeSource().getLocation());
        Class<?> made = new ByteBuddy().subclass(Object.class).name("io.vforkagent.it.Made").make()
                .load(ForeignLibrariesApp.class.getClassLoader()).getLoaded();
        System.out.println("MADE " + made.getName());
        LibC libc = Native.load("c", LibC.class);
        System.out.println("GETPID " + (libc.getpid() == ProcessHandle.current().pid()));
        SpawnApp.main(new String[] {"5", "20"});
    }
}
