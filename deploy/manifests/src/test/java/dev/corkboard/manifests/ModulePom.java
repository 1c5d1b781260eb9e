package dev.corkboard.manifests;

import java.io.IOException;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * What a component's pom says about the jar it builds: its artifactId, and whether it attaches the runnable shaded
 * jar {@code <artifactId>-<version>-all.jar} (the parent's shade execution runs for modules that declare the shade
 * plugin and set {@code corkboard.main}).
 */
record ModulePom(String artifactId, boolean shaded) {

    static ModulePom read(Path root, Component component) {
        Path pom = root.resolve(component.module).resolve("pom.xml");
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element project = factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
            String artifactId = "";
            boolean main = false;
            for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child instanceof Element element && element.getTagName().equals("artifactId")) {
                    artifactId = element.getTextContent().trim();
                }
                if (child instanceof Element element && element.getTagName().equals("properties")) {
                    main = element.getElementsByTagName("corkboard.main").getLength() > 0;
                }
            }
            boolean shadePlugin = false;
            var plugins = project.getElementsByTagName("plugin");
            for (int i = 0; i < plugins.getLength(); i++) {
                var ids = ((Element) plugins.item(i)).getElementsByTagName("artifactId");
                shadePlugin |= ids.getLength() > 0 && ids.item(0).getTextContent().trim().equals("maven-shade-plugin");
            }
            return new ModulePom(artifactId, main && shadePlugin);
        } catch (IOException | ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
    }

    /** The shaded jar as a glob under the repository root: {@code <module>/target/<artifactId>-*-all.jar}. */
    String shadedJarGlob(Component component) {
        return component.module + "/target/" + artifactId + "-*-all.jar";
    }
}
