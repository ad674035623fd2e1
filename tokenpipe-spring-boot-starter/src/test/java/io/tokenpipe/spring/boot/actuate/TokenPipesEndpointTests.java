package io.tokenpipe.spring.boot.actuate;

import java.time.Duration;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TokenPipesEndpoint} lists the open pipes, oldest first, with name, age and open ends.
 */
@ExtendWith(FdCount.class)
class TokenPipesEndpointTests {

    @Test
    void listsOpenPipesWithNameAgeAndOpenEnds() throws InterruptedException {
        try (TokenPipeFactory factory = new TokenPipeFactory(8)) {
            TokenPipe worker = factory.create("worker");
            TokenPipeEnd writer = worker.takeWriteEnd();
            worker.takeReadEnd().close();
            factory.create("closed").close();
            TokenPipe fresh = factory.create("fresh");
            Thread.sleep(20);
            TokenPipesEndpoint.TokenPipesDescriptor descriptor = new TokenPipesEndpoint(factory).tokenPipes();
            assertThat(descriptor.pipes()).extracting(TokenPipesEndpoint.PipeDescriptor::name)
                .containsExactly("worker", "fresh");
            assertThat(descriptor.pipes().get(0).openEnds()).containsExactly("write");
            assertThat(descriptor.pipes().get(1).openEnds()).containsExactly("read", "write");
            Duration workerAge = Duration.parse(descriptor.pipes().get(0).age());
            Duration freshAge = Duration.parse(descriptor.pipes().get(1).age());
            assertThat(workerAge).isGreaterThanOrEqualTo(freshAge).isGreaterThanOrEqualTo(Duration.ofMillis(20));
            writer.close();
            fresh.close();
            assertThat(new TokenPipesEndpoint(factory).tokenPipes().pipes()).isEmpty();
        }
    }

}
