package io.tokenpipe.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * One element of a POM file, read without a schema or namespaces: enough to look at what a module
 * declares and what the build wrote, without Maven's own model classes.
 */
public final class PomElement {

    private final Element element;

    private PomElement(Element element) {
        this.element = element;
    }

    /** The {@code <project>} element of the file. */
    public static PomElement parse(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return new PomElement(factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        catch (ParserConfigurationException | SAXException ex) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The first direct child of that name, or null if there is none. */
    public PomElement child(String name) {
        List<PomElement> found = children(name);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Every direct child of that name, in document order. */
    public List<PomElement> children(String name) {
        List<PomElement> found = new ArrayList<>();
        for (Node node = this.element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && child.getTagName().equals(name)) {
                found.add(new PomElement(child));
            }
        }
        return found;
    }

    /** The items of a list element such as {@code <licenses>}: empty when the list itself is missing. */
    public List<PomElement> list(String listName, String itemName) {
        PomElement list = child(listName);
        return (list != null) ? list.children(itemName) : List.of();
    }

    /** The trimmed text of the first direct child of that name, or null if there is none. */
    public String text(String name) {
        PomElement child = child(name);
        return (child != null) ? child.text() : null;
    }

    /** This element's trimmed text. */
    public String text() {
        return this.element.getTextContent().trim();
    }
}
