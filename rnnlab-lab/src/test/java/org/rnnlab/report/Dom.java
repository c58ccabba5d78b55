package org.rnnlab.report;

import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** Small DOM queries for the report tests. */
final class Dom {
    private Dom() {}

    static final String SVG = "http://www.w3.org/2000/svg";
    static final String XHTML = "http://www.w3.org/1999/xhtml";

    static List<Element> all(Node root, String ns, String tag) {
        NodeList list = root instanceof Element e ? e.getElementsByTagNameNS(ns, tag)
                : ((org.w3c.dom.Document) root).getElementsByTagNameNS(ns, tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) out.add((Element) list.item(i));
        return out;
    }

    static List<Element> svg(Node root, String tag) {
        return all(root, SVG, tag);
    }

    static List<Element> html(Node root, String tag) {
        return all(root, XHTML, tag);
    }

    static boolean hasClass(Element e, String c) {
        return (" " + e.getAttribute("class") + " ").contains(" " + c + " ");
    }

    /** The text of an element's own text children, without its {@code <title>} tooltip. */
    static String ownText(Element e) {
        StringBuilder b = new StringBuilder();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.TEXT_NODE) b.append(n.getNodeValue());
        }
        return b.toString();
    }

    /** The tooltip text of an element: its {@code <title>} child, or "" if it has none. */
    static String tooltip(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getLocalName().equals("title")) return c.getTextContent();
        }
        return "";
    }
}
