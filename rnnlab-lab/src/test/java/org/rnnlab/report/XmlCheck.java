package org.rnnlab.report;

import java.io.IOException;
import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/** Parses the report's output with the JDK's XML parser: any well-formedness error fails the test, with its line. */
final class XmlCheck {
    private XmlCheck() {}

    static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, ""); // <!DOCTYPE html> names no DTD; nothing to fetch
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {}

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            String[] lines = xml.split("\n", -1);
            String line = e.getLineNumber() >= 1 && e.getLineNumber() <= lines.length ? lines[e.getLineNumber() - 1] : "";
            int from = Math.max(0, e.getColumnNumber() - 80);
            throw new AssertionError("not well-formed at " + e.getLineNumber() + ":" + e.getColumnNumber() + ": "
                    + e.getMessage() + "\n  near: " + line.substring(Math.min(from, line.length()),
                    Math.min(line.length(), e.getColumnNumber() + 20)), e);
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new AssertionError(e);
        }
    }
}
