package com.example.pipes;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class PipeApplication {

    public static void main(String[] args) {
        SpringApplication.run(PipeApplication.class, args);
    }

}
