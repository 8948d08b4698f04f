package searchkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single-node OpenSearch for development and tests, started from Maven Central jars.
 *
 * <p>Why a launcher of our own: the OpenSearch distribution (and its download site) is out of
 * reach here, but its jars are on Maven Central. {@link Node}'s protected constructor takes
 * "classpath plugins", the way OpenSearch's own test framework builds nodes, so the HTTP
 * transport (Netty4), the analysis filters (analysis-common) and Painless need no plugin
 * install; more plugins (the k-NN plugin, unpacked by the build) are named in
 * -Dsearchkit.plugins with their jars on the class path. It skips the distribution's
 * bootstrap (bootstrap checks, security manager, native memory lock), so it also runs as
 * root. Not for production: one node, no security plugin.
 *
 * <p>Usage: {@code java -cp 'target/classes:target/lib/*' searchkit.LocalNode HOME [PORTS]}
 * (what {@code python -m searchkit.testing.opensearch_node start} runs).
 * Data and logs go under HOME; the HTTP port is the first free one of PORTS (default
 * 9250-9299). Once the node accepts requests its URL is written to HOME/http.url, which is how
 * the caller learns which port was free. SIGTERM closes the node cleanly.
 */
public final class LocalNode extends Node {

    private static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        PainlessPlugin.class
    );

    /** The plugins above, plus any class named in -Dsearchkit.plugins (comma-separated), whose
     *  jars the caller put on the class path: a way to try more plugins without a rebuild. */
    private static List<Class<? extends Plugin>> plugins() throws ClassNotFoundException {
        List<Class<? extends Plugin>> all = new ArrayList<>(PLUGINS);
        for (String name : System.getProperty("searchkit.plugins", "").split(",")) {
            if (!name.isBlank()) {
                all.add(Class.forName(name.trim()).asSubclass(Plugin.class));
            }
        }
        return all;
    }

    private LocalNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        // false: index settings may not use private (internal) keys, as on a real cluster.
        super(environment, plugins, false);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LocalNode HOME [HTTP_PORTS]");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        String ports = args.length > 1 ? args[1] : "9250-9299";
        Path urlFile = home.resolve("http.url");
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));
        Files.deleteIfExists(urlFile);

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "searchkit-local")
            .put("node.name", "searchkit-local")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", ports)
            .put("transport.port", "9350-9399")
            // A shared development disk may be fuller than OpenSearch's 85/90/95 % watermarks;
            // one local node has nowhere else to put shards, so do not block on disk use.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), null, () -> "searchkit-local");

        LocalNode node = new LocalNode(environment, plugins());
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "searchkit-local-shutdown"));
        node.start();

        TransportAddress address = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress();
        String url = "http://" + address.getAddress() + ":" + address.getPort();
        // Written whole then renamed, so a reader never sees half a URL.
        Path tmp = home.resolve("http.url.tmp");
        Files.write(tmp, (url + "\n").getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, urlFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("searchkit-local node listening on " + url);
        closed.await();
    }
}
