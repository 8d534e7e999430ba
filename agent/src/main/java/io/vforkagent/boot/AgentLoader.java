package io.vforkagent.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's own classes and its library (JNA) from the {@code inst/} folder
 * of the agent jar, where they are stored as {@code .classdata} so that neither the application's
 * class loader (the jar is on its class path) can see them. An
 * application with its own, different JNA therefore never meets ours.
 *
 * <p>SLF4J is the one exception: it is looked up in the application's class loader, so that the
 * agent's log lines go through the application's own logging configuration (and so is the JDK's
 * attach API, which only that loader sees).
 */
final class AgentLoader extends ClassLoader
        implements java.util.function.BiConsumer<String, URL>, java.util.function.Consumer<Object> {
    static final String PREFIX = "inst/";

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final URL jarUrl;
    private final ProtectionDomain domain;
    private final String version;

    AgentLoader(JarFile jar, URL jarUrl) throws IOException {
        super("vfork-agent", ClassLoader.getPlatformClassLoader());
        this.jar = jar;
        this.jarUrl = jarUrl;
        this.version = jar.getManifest() == null ? null
                : jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        this.domain = new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), null, this, null);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("org.slf4j.") || name.startsWith("com.sun.tools.attach.")) {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    // The application's SLF4J (and so its binding), never one of ours; and the
                    // JDK's attach API, which the application class loader sees.
                    c = Class.forName(name, false, ClassLoader.getSystemClassLoader());
                }
                return c;
            }
        }
        if (name.startsWith("io.vforkagent.") || name.startsWith("com.sun.jna.")) {
            // Ours first: asking the parents (the platform loader, then the boot loader's search of
            // the runtime image) for each of the ~250 classes the start loads only to hear "no" was
            // a tenth of the start-up thread's time; and a JNA on the boot class path is not ours.
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notInTheJar) {
                        return super.loadClass(name, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, "vfork-agent", version, null, null);
                } catch (IllegalArgumentException raced) {
                    // another thread defined it first
                }
            }
        }
        // JNA's classes come relocated (build.QuietJna, run where the jar is assembled).
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** The agent's entry point, handed over by its class initialiser (io.vforkagent.core.AgentEntry). */
    private volatile java.util.function.Consumer<Object[]> entry;

    @SuppressWarnings("unchecked")
    @Override
    public void accept(Object entryPoint) {
        entry = (java.util.function.Consumer<Object[]>) entryPoint;
    }

    java.util.function.Consumer<Object[]> entry() {
        if (entry == null) {
            throw new IllegalStateException("the agent's entry point did not hand itself over");
        }
        return entry;
    }

    /** Resources served from elsewhere than the jar (NativeLauncher: JNA's dispatch library). */
    private final java.util.Map<String, URL> served = new java.util.concurrent.ConcurrentHashMap<>();

    /** Serves {@code name} from {@code url} from now on; a null url ends it. */
    @Override
    public void accept(String name, URL url) {
        if (url == null) {
            served.remove(name);
        } else {
            served.put(name, url);
        }
    }

    @Override
    protected URL findResource(String name) {
        URL elsewhere = served.get(name);
        if (elsewhere != null) {
            return elsewhere;
        }
        if (jar.getJarEntry(PREFIX + name) == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl + "!/" + PREFIX + name);
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ours first, as for classes: what the agent serves (JNA's checked dispatch library), then the
     * jar's own; only then the parents, whose answer for JNA's resources would be another JNA's
     * (one on the boot class path), with a library nobody checked.
     */
    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    /**
     * The jar's own resources read straight from the open jar: the inherited way asks the parent
     * loaders first, then opens a {@code jar:} URL, whose handler opens the jar a second time and
     * loads a dozen JDK classes the default CDS archive lacks (~5 ms of every start). No parent
     * has an {@code inst/} resource, so the answer is the same.
     */
    @Override
    public InputStream getResourceAsStream(String name) {
        JarEntry entry = served.containsKey(name) ? null : jar.getJarEntry(PREFIX + name);
        if (entry == null) {
            return super.getResourceAsStream(name);
        }
        try {
            return jar.getInputStream(entry);
        } catch (IOException e) {
            return null; // as the inherited method answers an unreadable resource
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singleton(url));
    }
}
