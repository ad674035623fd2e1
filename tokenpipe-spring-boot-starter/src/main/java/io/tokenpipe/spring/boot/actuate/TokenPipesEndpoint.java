package io.tokenpipe.spring.boot.actuate;

import java.util.ArrayList;
import java.util.List;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.util.Assert;

/**
 * {@link Endpoint @Endpoint} {@code tokenpipes}: the token pipes of the {@link TokenPipeFactory} that still have
 * an end open, oldest first, with their name, age and open ends. It shows no descriptor numbers or paths.
 */
@Endpoint(id = "tokenpipes")
public class TokenPipesEndpoint {

    private final TokenPipeFactory factory;

    /**
     * Creates the endpoint.
     * @param factory the factory whose pipes are listed
     */
    public TokenPipesEndpoint(TokenPipeFactory factory) {
        Assert.notNull(factory, "'factory' must not be null");
        this.factory = factory;
    }

    /**
     * Lists the open pipes.
     * @return one entry per pipe with at least one end open; an empty list when there is none
     */
    @ReadOperation
    public TokenPipesDescriptor tokenPipes() {
        List<PipeDescriptor> pipes = new ArrayList<>();
        for (TokenPipeFactory.OpenPipe pipe : this.factory.openPipes()) {
            List<String> openEnds = new ArrayList<>(2);
            if (pipe.readEndOpen()) {
                openEnds.add("read");
            }
            if (pipe.writeEndOpen()) {
                openEnds.add("write");
            }
            pipes.add(new PipeDescriptor(pipe.name(), pipe.age().toString(), openEnds));
        }
        return new TokenPipesDescriptor(pipes);
    }

    /**
     * The endpoint's response.
     * @param pipes the open pipes, oldest first
     */
    public record TokenPipesDescriptor(List<PipeDescriptor> pipes) implements OperationResponseBody {
    }

    /**
     * One open pipe.
     * @param name the name it was created with
     * @param age how long ago it was made, as an ISO-8601 duration ("PT12.5S")
     * @param openEnds which ends are still open: "read", "write" or both
     */
    public record PipeDescriptor(String name, String age, List<String> openEnds) {
    }

}
