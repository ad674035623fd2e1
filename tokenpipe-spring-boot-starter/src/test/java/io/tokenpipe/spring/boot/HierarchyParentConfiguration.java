package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The parent context of {@link HierarchyChildApplication} (a class of its own: a nested configuration class would be
 * imported by the child too). Its one bean appends "parent context in pid N" to {@code parent.log} in the working
 * directory, so a test can tell which processes ran the parent.
 */
@Configuration(proxyBeanMethods = false)
public class HierarchyParentConfiguration {

    @Bean
    String parentMarker() throws IOException {
        Files.writeString(Path.of("parent.log"), "parent context in pid " + ProcessHandle.current().pid() + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return "parent";
    }

}
